// Resolves imports to workspace files on disk, as Python's sys.path would: the importing file's
// folder, the folder its package is imported from, the project root and its src/ folder. Parsed modules are cached by path and mtime; the
// language server supplies the text of open documents, which wins over the disk.
import * as fs from 'fs';
import * as path from 'path';
import type { Tree } from 'web-tree-sitter';
import type { ModuleResolver } from '../engine/model/imports';
import { relevanceTest } from '../engine/relevance';
import type { SourceFile } from '../engine/model/sourceFile';
import { readImports } from '../engine/importReader';
import { ProjectImports } from './projectImports';
import { importBases } from './projectRoots';
import { MAX_SOURCE_BYTES, readTextFile } from './textFiles';

/** Importers see a module only when it mentions what a rule follows (setting-independent words). */
const canMatter = relevanceTest();

export interface ModuleSource {
  /** Undefined when the module is too large, too deep or breaks the parser: it is then treated as unreadable. */
  parse(text: string): Tree | undefined;
  /** Text of an open, possibly unsaved document. */
  openText?(path: string): string | undefined;
}

export class DiskModuleResolver implements ModuleResolver {
  private readonly cache = new Map<string, { stamp: string; file: SourceFile | undefined }>();
  private readonly relevance = new Map<string, boolean>();
  private readonly projectImports: ProjectImports;
  private readonly bases = new Map<string, string[]>();

  /** `exists` answers "is there a file at this path?"; the workspace scanner passes a cached one. */
  constructor(
    private readonly projectRoot: string,
    private readonly source: ModuleSource,
    private readonly exists: (path: string) => boolean = fs.existsSync,
  ) {
    this.projectImports = new ProjectImports(projectRoot, { resolve: (from, module) => this.resolve(from, module), readText: (p) => this.readText(p), importedModules });
  }

  programStartMethod(filePath: string): string | undefined {
    return this.projectImports.programStartMethod(filePath);
  }

  usedByImporters(filePath: string, name: string): boolean {
    return this.projectImports.usedByImporters(filePath, name);
  }

  resolve(fromPath: string, module: string): string | undefined {
    const dots = /^\.*/.exec(module)![0].length;
    const parts = module.slice(dots).split('.').filter(Boolean);
    if (dots > 0) {
      let base = path.dirname(fromPath);
      for (let i = 1; i < dots; i++) base = path.dirname(base);
      return findModule(base, parts, this.exists);
    }
    const dir = path.dirname(fromPath);
    let roots = this.bases.get(dir);
    if (!roots) this.bases.set(dir, (roots = importBases(dir, this.projectRoot, this.exists)));
    for (const root of roots) {
      const found = findModule(root, parts, this.exists);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * A module is walked by importers only when it can matter (see relevance.ts) or imports, through
   * the workspace, a module that can: otherwise importing it changes nothing the rules see, and
   * walking every import of a large project for every file would cost seconds.
   */
  load(filePath: string): SourceFile | undefined {
    return this.isRelevant(filePath, new Set()) ? this.loadFile(filePath) : undefined;
  }

  private isRelevant(filePath: string, visiting: Set<string>): boolean {
    const known = this.relevance.get(filePath);
    if (known !== undefined) return known;
    if (visiting.has(filePath)) return false;
    visiting.add(filePath);
    // Decided from the text alone: a module that cannot matter is never parsed or kept.
    const text = this.readText(filePath);
    let relevant = false;
    if (text !== undefined) {
      relevant = canMatter(text) || importedModules(text).some((module) => {
        const target = this.resolve(filePath, module);
        return target !== undefined && target !== filePath && this.isRelevant(target, visiting);
      }) || (path.basename(filePath) === '__init__.py' && this.holdsRelevantModule(path.dirname(filePath), visiting));
    }
    this.relevance.set(filePath, relevant);
    return relevant;
  }

  /**
   * `from pkg import mod` reaches `pkg/mod.py` only through the package: the walker tries the
   * submodule only once the package itself was loaded. So a package counts when one of its
   * modules (or subpackages) does, even if its `__init__.py` is empty.
   */
  private holdsRelevantModule(dir: string, visiting: Set<string>): boolean {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    return entries.some((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isFile() && entry.name.endsWith('.py') && entry.name !== '__init__.py') return this.isRelevant(full, visiting);
      const init = path.join(full, '__init__.py');
      return entry.isDirectory() && this.exists(init) && this.isRelevant(init, visiting);
    });
  }

  private loadFile(filePath: string): SourceFile | undefined {
    const open = this.source.openText?.(filePath);
    let stamp: string;
    try {
      stamp = open !== undefined ? `open:${open.length}:${hash(open)}` : `disk:${fs.statSync(filePath).mtimeMs}`;
    } catch {
      return undefined;
    }
    const cached = this.cache.get(filePath);
    if (cached && cached.stamp === stamp) {
      this.cache.delete(filePath);
      this.cache.set(filePath, cached);
      return cached.file;
    }
    const text = open ?? this.readText(filePath);
    const tree = text === undefined ? undefined : this.source.parse(text);
    const file = text === undefined || tree === undefined ? undefined : { path: filePath, text, tree };
    cached?.file?.tree.delete();
    this.cache.delete(filePath);
    this.cache.set(filePath, { stamp, file });
    return file;
  }

  private readText(filePath: string): string | undefined {
    const open = this.source.openText?.(filePath);
    if (open !== undefined) return open;
    // A module reached through a symbolic link is read only when the link stays inside the project.
    const read = readTextFile(filePath, { maxBytes: MAX_SOURCE_BYTES, within: this.projectRoot });
    return 'refused' in read ? undefined : read.text;
  }

  /**
   * Frees the trees of all but the `keep` modules loaded last (a Map keeps insertion order; a
   * load moves its module to the end). Called between analyses, never during one.
   */
  trim(keep: number): void {
    let excess = this.cache.size - keep;
    for (const [filePath, cached] of this.cache) {
      if (excess-- <= 0) return;
      cached.file?.tree.delete();
      this.cache.delete(filePath);
    }
  }

  invalidate(filePath: string): void {
    this.cache.get(filePath)?.file?.tree.delete();
    this.cache.delete(filePath);
    // Relevance is transitive: one changed module can change it for its importers.
    this.relevance.clear();
    this.projectImports.invalidate();
    // An added or removed __init__.py moves a package's import root.
    if (path.basename(filePath) === '__init__.py') this.bases.clear();
  }
}

/** Module names a file imports (`import a.b`, `from .c import d` → `.c`, `.c.d`), read from its text. */
export function importedModules(text: string): string[] {
  return readImports(Buffer.from(text));
}

function findModule(root: string, parts: string[], exists: (path: string) => boolean): string | undefined {
  if (parts.length === 0) {
    const init = path.join(root, '__init__.py');
    return exists(init) ? init : undefined;
  }
  const base = path.join(root, ...parts);
  for (const candidate of [`${base}.py`, path.join(base, '__init__.py')]) {
    if (exists(candidate)) return candidate;
  }
  return undefined;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}
