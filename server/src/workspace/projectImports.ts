// Facts about a module that only its importers hold (SPEC §2): the program-wide start method
// (`set_start_method("spawn")` in an entry module governs every module it imports, directly or
// not), and whether a class or function of a library module has a caller elsewhere in the
// project (then it is not an entry point of its own). Built from one pass over the project's
// import lists, bounded in files, and kept until a file changes.
import { listPythonFilesWithin } from './pythonFiles';

/** `set_start_method("spawn")`, `mp.set_start_method(method="forkserver", force=True)`. Linear: no nested quantifiers. */
const SETS_START_METHOD = /\bset_start_method\(\s*(?:method\s*=\s*)?["'](spawn|forkserver)["']/;
const MAIN_GUARD = /^if\s+__name__\s*==\s*["']__main__["']\s*:/m;
/** Bounds: a huge tree costs a bounded amount, and the answers then cover the files listed. */
const LISTING_BOUND = { maxFiles: 20_000, maxMs: 2_000 };

export interface ImportGraphSource {
  resolve(fromPath: string, module: string): string | undefined;
  readText(path: string): string | undefined;
  importedModules(text: string): string[];
}

interface Graph {
  importers: Map<string, string[]>;
  startMethods: Map<string, string>;
}

export class ProjectImports {
  private graph?: Graph;
  private readonly startMethodAnswers = new Map<string, string | undefined>();

  constructor(private readonly projectRoot: string, private readonly source: ImportGraphSource) {}

  /** The start method an entry module that imports `filePath` sets, unless the file is a program itself. */
  programStartMethod(filePath: string): string | undefined {
    if (this.startMethodAnswers.has(filePath)) return this.startMethodAnswers.get(filePath);
    let answer: string | undefined;
    const text = this.source.readText(filePath);
    if (text !== undefined && !MAIN_GUARD.test(text)) {
      const graph = this.build();
      const seen = new Set([filePath]);
      const queue = [filePath];
      while (queue.length && answer === undefined) {
        for (const importer of graph.importers.get(queue.shift()!) ?? []) {
          if (seen.has(importer)) continue;
          seen.add(importer);
          answer = graph.startMethods.get(importer);
          if (answer) break;
          queue.push(importer);
        }
      }
    }
    this.startMethodAnswers.set(filePath, answer);
    return answer;
  }

  /** Whether a module that imports `filePath` mentions `name` (a class or function defined there). */
  usedByImporters(filePath: string, name: string): boolean {
    const word = new RegExp(`\\b${name.replace(/\W/g, '')}\\b`);
    return (this.build().importers.get(filePath) ?? []).some((importer) => importer !== filePath && word.test(this.source.readText(importer) ?? ''));
  }

  invalidate(): void {
    this.graph = undefined;
    this.startMethodAnswers.clear();
  }

  private build(): Graph {
    if (this.graph) return this.graph;
    const graph: Graph = { importers: new Map(), startMethods: new Map() };
    for (const file of listPythonFilesWithin(this.projectRoot, [], LISTING_BOUND).files) {
      const text = this.source.readText(file);
      if (!text) continue;
      const method = text.includes('set_start_method') ? SETS_START_METHOD.exec(text)?.[1] : undefined;
      if (method) graph.startMethods.set(file, method);
      for (const module of this.source.importedModules(text)) {
        const target = this.source.resolve(file, module);
        if (!target || target === file) continue;
        const list = graph.importers.get(target) ?? [];
        if (!list.includes(file)) list.push(file);
        graph.importers.set(target, list);
      }
    }
    this.graph = graph;
    return graph;
  }
}
