// Facts about a module that only its importers hold (SPEC §2): the program-wide start method
// (`set_start_method("spawn")` in an entry module governs every module it imports, directly or
// not), and whether a class or function of a library module has a caller elsewhere in the
// project (then it is not an entry point of its own).
//
// The importers looked for are the module's neighbours: the modules of its outermost package
// (the folder tree an `__init__.py` chain spans) and the scripts beside that package, or, for a
// module in no package, the scripts in its own folder. That is where entry modules and callers
// of a library module sit in practice, and it keeps the cost independent of the project's size.
// One pass over a neighbourhood reads each file's import statements (names only, unresolved) and
// notes which files set a start method; a name is resolved only when it can lead to the module
// asked about. The pass is bounded in files and time: past the bound the answers are "unknown"
// (no program-wide start method, no caller elsewhere), which is what a single-file check assumes.
import * as fs from 'fs';
import * as path from 'path';
import { listPythonFilesWithin } from './pythonFiles';

/** `set_start_method("spawn")`, `mp.set_start_method(method="forkserver", force=True)`. Linear: no nested quantifiers. */
const SETS_START_METHOD = /\bset_start_method\(\s*(?:method\s*=\s*)?["'](spawn|forkserver)["']/;
const MAIN_GUARD = /^if\s+__name__\s*==\s*["']__main__["']\s*:/m;
// The file count decides; the times are safety nets, generous so that load does not change answers.
const LISTING_BOUND = { maxFiles: 5_000, maxMs: 5_000 };
/** The whole pass (listing, reading, import names) stops here; the answers are then unknown. */
const PASS_BUDGET_MS = 7_500;

export interface ImportGraphSource {
  resolve(fromPath: string, module: string): string | undefined;
  readText(path: string): string | undefined;
  importedModules(text: string): string[];
}

interface ProjectIndex {
  /** Each file's imported module names, as written (`.sub`, `pkg.mod`, `pkg.mod.name`). */
  imports: Map<string, string[]>;
  startMethods: Map<string, string>;
  complete: boolean;
}

export class ProjectImports {
  private readonly indexes = new Map<string, ProjectIndex>();
  private readonly importerCache = new Map<string, string[]>();
  private readonly startMethodAnswers = new Map<string, string | undefined>();

  constructor(private readonly projectRoot: string, private readonly source: ImportGraphSource) {}

  /** The start method an entry module that imports `filePath` sets, unless the file is a program itself. */
  programStartMethod(filePath: string): string | undefined {
    if (this.startMethodAnswers.has(filePath)) return this.startMethodAnswers.get(filePath);
    let answer: string | undefined;
    const text = this.source.readText(filePath);
    const index = text !== undefined && !MAIN_GUARD.test(text) ? this.neighbourhood(filePath) : undefined;
    if (index?.complete && index.startMethods.size) {
      const seen = new Set([filePath]);
      const queue = [filePath];
      while (queue.length && answer === undefined) {
        for (const importer of this.importersOf(queue.shift()!, index)) {
          if (seen.has(importer)) continue;
          seen.add(importer);
          answer = index.startMethods.get(importer);
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
    const index = this.neighbourhood(filePath);
    if (!index.complete) return false;
    const word = new RegExp(`\\b${name.replace(/\W/g, '')}\\b`);
    return this.importersOf(filePath, index).some((importer) => word.test(this.source.readText(importer) ?? ''));
  }

  invalidate(): void {
    this.indexes.clear();
    this.importerCache.clear();
    this.startMethodAnswers.clear();
  }

  /** The files that import `target`: only names that could lead to it are resolved. */
  private importersOf(target: string, index: ProjectIndex): string[] {
    const cached = this.importerCache.get(target);
    if (cached) return cached;
    const base = path.basename(target, '.py');
    // `pkg/mod.py` is named by `mod`; `pkg/__init__.py` by `pkg`.
    const stem = base === '__init__' ? path.basename(path.dirname(target)) : base;
    const importers: string[] = [];
    for (const [file, modules] of index.imports) {
      if (file === target) continue;
      const leads = modules.some((module) => module.split('.').includes(stem) && this.source.resolve(file, module) === target);
      if (leads) importers.push(file);
    }
    this.importerCache.set(target, importers);
    return importers;
  }

  /** The index of the neighbourhood `filePath` belongs to (see the header). */
  private neighbourhood(filePath: string): ProjectIndex {
    let dir = path.dirname(filePath);
    let outermost: string | undefined;
    while (isPackage(dir) && isInside(dir, this.projectRoot)) {
      outermost = dir;
      dir = path.dirname(dir);
    }
    const key = outermost ?? dir;
    let index = this.indexes.get(key);
    if (!index) {
      index = this.build(outermost, outermost ? path.dirname(outermost) : dir);
      this.indexes.set(key, index);
    }
    return index;
  }

  private build(packageDir: string | undefined, scriptsDir: string): ProjectIndex {
    const deadline = performance.now() + PASS_BUDGET_MS;
    const listing = packageDir ? listPythonFilesWithin(packageDir, [], LISTING_BOUND) : { files: [], complete: true };
    const index: ProjectIndex = { imports: new Map(), startMethods: new Map(), complete: listing.complete };
    for (const file of [...listing.files, ...scriptsIn(scriptsDir)]) {
      if (performance.now() > deadline) {
        index.complete = false;
        break;
      }
      const text = this.source.readText(file);
      if (!text) continue;
      const method = text.includes('set_start_method') ? SETS_START_METHOD.exec(text)?.[1] : undefined;
      if (method) index.startMethods.set(file, method);
      index.imports.set(file, this.source.importedModules(text));
    }
    return index;
  }
}

function isPackage(dir: string): boolean {
  return fs.existsSync(path.join(dir, '__init__.py'));
}

function isInside(dir: string, root: string): boolean {
  const relative = path.relative(root, dir);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The `.py` files directly in a folder (not in its subfolders). */
function scriptsIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.py')).map((e) => path.join(dir, e.name)).slice(0, LISTING_BOUND.maxFiles);
  } catch {
    return [];
  }
}
