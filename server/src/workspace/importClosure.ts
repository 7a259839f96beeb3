// Phase 2 of the workspace scan: the files the pre-filter dropped that still must be analysed,
// because they import, directly or through other files, a module that can hold a finding
// (prefilter.ts says why a file's own text and this closure together lose nothing). Imports are
// resolved as the engine resolves them: the same resolver, the same project roots.
//
// Kept compactly, for it lasts the whole of phase 1: module names are interned to integer ids, and a
// dropped file keeps only the imports that can ever matter (see `add`), as ids in one array.
import * as fs from 'fs';
import * as path from 'path';
import { DiskModuleResolver } from './diskModules';
import { PrefilterVerdict, prefilter } from './prefilter';
import { importBases, projectRootOf } from './projectRoots';
import { innermostFolder } from './scanProtocol';
import { FileListing, ListedFlag } from './scanListing';
import { readSourceFile } from './textFiles';

/** What the closure needs to know of the scan. */
export interface ClosureScope {
  /** The scanned folders. */
  rootPaths: string[];
  /** The language server's project rule (ScanOptions.rootIsProject). */
  rootIsProject: boolean;
  /** Every listed file (complete before the first `add`). */
  listing: FileListing;
  /** Files and folders the listing left out (excluded, ignored). */
  skipped: ReadonlySet<string>;
  /** First components of the catalog's modules (engine/relevance.ts catalogRoots). */
  catalog: ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();
const SEPARATOR = path.sep.charCodeAt(0);

function ancestor(dir: string, levels: number): string {
  for (let i = 0; i < levels; i++) dir = path.dirname(dir);
  return dir;
}

/** Which filtered files import, directly or not, a module that can hold a finding. */
export class ImportClosure {
  private readonly existsCache = new Map<string, boolean>();
  private readonly resolveCache = new Map<string, string | undefined>();
  private readonly resolvers = new Map<string, DiskModuleResolver>();
  private readonly projectRoots = new Map<string, string>();
  private readonly rootPaths: string[];
  private readonly listing: FileListing;
  private readonly skipped: ReadonlySet<string>;

  constructor(private readonly scope: ClosureScope) {
    this.rootPaths = scope.rootPaths;
    this.listing = scope.listing;
    this.skipped = scope.skipped;
  }

  /** Module names by id, the last component of each, and whether a part of it names a skipped entry. */
  private readonly moduleIds = new Map<string, number>();
  private readonly modules: string[] = [];
  private readonly moduleLasts: string[] = [];
  private readonly moduleNamesSkipped: boolean[] = [];
  /** For each worker's numbering of module names (scanProtocol.ts, newModules), the ids of its numbers. */
  private readonly idsOfNumbers = new Map<readonly string[], number[]>();
  /**
   * The files the pre-filter dropped that import something that may matter: their listing ids, and
   * where their imports start in `droppedImports` (module id times 2, plus 1 when the import may
   * resolve outside the listing).
   */
  private droppedFiles = new Int32Array(256);
  private droppedStarts = new Int32Array(257);
  private droppedCount = 0;
  private droppedImports = new Int32Array(1024);
  /** The module names the listed files have (`b` for `b.py` and `b/__init__.py`): no import of another name lands on a listed file. */
  private listedModuleNames: Set<string> | undefined;

  /** Modules outside the listing (above the folders, excluded, ignored), read on demand. */
  private readonly outside = new Map<string, PrefilterVerdict>();
  private readonly outsideInteresting = new Set<string>();

  /**
   * Records what a file the pre-filter dropped imports (as phase 1's results stream in). Only the
   * imports `filesToAnalyse` may follow are kept: bare dots, those that may leave the listing, and
   * those whose last component is the module name of some listed file (the only files that can
   * pass the pre-filter or join the closure are listed ones, so no other name can become one).
   */
  add(fileId: number, imports: readonly number[], moduleNames: readonly string[]): void {
    if (imports.length === 0) return;
    const dir = this.listing.folderOf(fileId);
    const projectRoot = this.projectRootOf(dir);
    const start = this.droppedStarts[this.droppedCount];
    let end = start;
    let ids = this.idsOfNumbers.get(moduleNames);
    if (!ids) this.idsOfNumbers.set(moduleNames, (ids = []));
    for (const number of imports) {
      const id = (ids[number] ??= this.moduleId(moduleNames[number]));
      const last = this.moduleLasts[id];
      const leaving = this.mayLeave(dir, projectRoot, id);
      if (!(leaving || last === '' || this.moduleNameListed(last))) continue;
      if (end === this.droppedImports.length) this.droppedImports = grownInt32(this.droppedImports, end * 2);
      this.droppedImports[end++] = id * 2 + (leaving ? 1 : 0);
    }
    if (end === start) return;
    if (this.droppedCount + 1 === this.droppedFiles.length) {
      this.droppedFiles = grownInt32(this.droppedFiles, this.droppedFiles.length * 2);
      this.droppedStarts = grownInt32(this.droppedStarts, this.droppedStarts.length * 2);
    }
    this.droppedFiles[this.droppedCount++] = fileId;
    this.droppedStarts[this.droppedCount] = end;
  }

  private moduleId(module: string): number {
    let id = this.moduleIds.get(module);
    if (id === undefined) {
      id = this.modules.length;
      this.moduleIds.set(module, id);
      this.modules.push(module);
      this.moduleLasts.push(module.slice(module.lastIndexOf('.') + 1));
      this.unlistedAnywhere ??= new Set([...this.skipped].map((entry) => path.basename(entry, '.py')));
      this.moduleNamesSkipped.push(module.split('.').some((part) => this.unlistedAnywhere!.has(part)));
    }
    return id;
  }

  private moduleNameListed(name: string): boolean {
    if (!this.listedModuleNames) {
      this.listedModuleNames = new Set();
      for (let id = 0; id < this.listing.size; id++) this.listedModuleNames.add(moduleNameOf(this.listing.nameOf(id), this.listing.folderOf(id)));
    }
    return this.listedModuleNames.has(name);
  }

  /**
   * The dropped files that import, directly or through others, a file that passed the pre-filter
   * (or a module outside the listing that would). A fixpoint guided by names: an import can load
   * module `.../b.py` or `.../b/__init__.py` only if its last component is `b` (or it is bare
   * dots, `from . import x`), so only such imports are resolved, plus those whose first part names
   * something outside the listing. Each round adds files; the names of new files join the next.
   */
  filesToAnalyse(): number[] {
    const { listing } = this;
    const names = new Set<string>();
    for (let id = 0; id < listing.size; id++) {
      if (listing.hasFlag(id, ListedFlag.PassedPrefilter)) names.add(moduleNameOf(listing.nameOf(id), listing.folderOf(id)));
    }
    const result: number[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i < this.droppedCount; i++) {
        const id = this.droppedFiles[i];
        if (listing.hasFlag(id, ListedFlag.PassedPrefilter | ListedFlag.ImportsAnalysed) || !this.listedImportsInteresting(i, names)) continue;
        listing.setFlag(id, ListedFlag.ImportsAnalysed);
        names.add(moduleNameOf(listing.nameOf(id), listing.folderOf(id)));
        result.push(id);
        changed = true;
      }
    }
    return result;
  }

  /** Whether the i-th dropped file imports a file that is analysed (or a module outside the listing that must be). */
  private listedImportsInteresting(i: number, names: Set<string>): boolean {
    const id = this.droppedFiles[i];
    const dir = this.listing.folderOf(id);
    let file: string | undefined;
    let projectRoot: string | undefined;
    for (let at = this.droppedStarts[i]; at < this.droppedStarts[i + 1]; at++) {
      const entry = this.droppedImports[at];
      const moduleId = entry >> 1;
      const last = this.moduleLasts[moduleId];
      if (!(last === '' || names.has(last) || (entry & 1) === 1)) continue;
      file ??= this.listing.pathOf(id);
      projectRoot ??= this.projectRootOf(dir);
      if (this.leadsToInteresting(file, dir, projectRoot, this.modules[moduleId], names, new Set())) return true;
    }
    return false;
  }

  /** Whether `module`, imported by `file`, resolves to a file that is analysed or a module outside the listing that must be. */
  private leadsToInteresting(file: string, dir: string, projectRoot: string, module: string, names: Set<string>, visiting: Set<string>): boolean {
    const target = this.resolve(file, dir, projectRoot, module);
    if (!target || target === file) return false;
    const targetId = this.listing.idOf(target);
    if (targetId !== undefined) return this.listing.hasFlag(targetId, ListedFlag.PassedPrefilter | ListedFlag.ImportsAnalysed);
    if (this.outsideInteresting.has(target)) return true;
    return !visiting.has(target) && this.isOutsideInteresting(target, names, visiting);
  }

  /** A module outside the listing matters if its text triggers or it leads to one that matters. */
  private isOutsideInteresting(target: string, names: Set<string>, visiting: Set<string>): boolean {
    let entry = this.outside.get(target);
    if (!entry) {
      const read = readSourceFile(target);
      entry = 'refused' in read ? { mayReport: false, imports: [] } : prefilter(read.bytes, this.scope.catalog);
      this.outside.set(target, entry);
    }
    visiting.add(target);
    const dir = path.dirname(target);
    const projectRoot = this.projectRootOf(dir);
    const answer = entry.mayReport || entry.imports.some((module) => this.leadsToInteresting(target, dir, projectRoot, module, names, visiting));
    if (answer) this.outsideInteresting.add(target);
    return answer;
  }

  private readonly absoluteInside = new Map<string, boolean>();

  /** Whether importing module `id` from `dir` may resolve to a file the listing does not hold. */
  private mayLeave(dir: string, projectRoot: string, id: number): boolean {
    const module = this.modules[id];
    let absoluteInside = this.absoluteInside.get(dir);
    if (absoluteInside === undefined) {
      absoluteInside = importBases(dir, projectRoot, (p) => this.exists(p)).every((base) => this.unlistedNamesIn(base) !== 'all');
      this.absoluteInside.set(dir, absoluteInside);
    }
    // The common case, quickly: the resolver's roots inside the scanned folders, and no part of
    // the name is the name of something the listing skipped.
    if (module.charCodeAt(0) !== 46 && absoluteInside && !this.moduleNamesSkipped[id]) return false;
    return this.mayLeaveListing(dir, projectRoot, module);
  }

  /** Could resolving `module` from `dir` land on a file the listing does not hold? */
  private mayLeaveListing(dir: string, projectRoot: string, module: string): boolean {
    let dots = 0;
    while (module.charCodeAt(dots) === 46 /* . */) dots++;
    const parts = module.slice(dots).split('.');
    const bases = dots > 0 ? [ancestor(dir, dots - 1)] : importBases(dir, projectRoot, (p) => this.exists(p));
    const inside = bases.every((base) => this.unlistedNamesIn(base) !== 'all');
    if (inside && !parts.some((part) => this.unlistedAnywhere!.has(part))) return false;
    // Any folder on the way down may be one the listing skipped.
    return bases.some((base) => {
      let at = base;
      for (const part of parts) {
        const names = this.unlistedNamesIn(at);
        if (names === 'all' || names.has(part)) return true;
        at = path.join(at, part);
      }
      return false;
    });
  }

  /** Entries of a folder the listing left out: all of them outside the scanned folders. */
  private unlistedNamesIn(dir: string): ReadonlySet<string> | 'all' {
    const root = this.rootPaths.find((r) => dir === r || dir.startsWith(r + path.sep));
    if (root === undefined || this.isUnderSkipped(dir, root)) return 'all';
    if (!this.unlisted) {
      this.unlisted = new Map();
      for (const entry of this.skipped) {
        const parent = path.dirname(entry);
        let set = this.unlisted.get(parent);
        if (!set) this.unlisted.set(parent, (set = new Set()));
        set.add(path.basename(entry, '.py'));
      }
    }
    return this.unlisted.get(dir) ?? EMPTY;
  }

  private unlisted: Map<string, Set<string>> | undefined;
  private unlistedAnywhere: Set<string> | undefined;

  private isUnderSkipped(p: string, root: string): boolean {
    for (; p !== root && p.length > root.length; p = path.dirname(p)) if (this.skipped.has(p)) return true;
    return false;
  }

  private resolve(fromPath: string, dir: string, projectRoot: string, module: string): string | undefined {
    const key = `${dir}\0${projectRoot}\0${module}`;
    if (this.resolveCache.has(key)) return this.resolveCache.get(key);
    let resolver = this.resolvers.get(projectRoot);
    if (!resolver) {
      resolver = new DiskModuleResolver(projectRoot, { parse: () => { throw new Error('not parsed here'); } }, (p) => this.exists(p));
      this.resolvers.set(projectRoot, resolver);
    }
    const target = resolver.resolve(fromPath, module);
    this.resolveCache.set(key, target);
    return target;
  }

  /** The project root the workers' ProjectAnalysis finds for files of `dir` (the same function, the same boundary). */
  private projectRootOf(dir: string): string {
    let answer = this.projectRoots.get(dir);
    if (!answer) {
      const boundary = this.scope.rootIsProject ? innermostFolder(this.rootPaths, dir) : undefined;
      answer = projectRootOf(path.join(dir, '__module__.py'), boundary, (p) => this.exists(p));
      this.projectRoots.set(dir, answer);
    }
    return answer;
  }

  /** Inside a scanned folder the listing is the truth, except where it skipped something. */
  private exists(filePath: string): boolean {
    if (this.listing.has(filePath)) return true;
    const root = this.rootPaths.find((r) => filePath.startsWith(r) && filePath.charCodeAt(r.length) === SEPARATOR);
    if (root !== undefined && !this.isUnderSkipped(filePath, root)) return false;
    // Only what the disk answered is kept: a path kept per folder of a large tree adds up.
    let answer = this.existsCache.get(filePath);
    if (answer === undefined) this.existsCache.set(filePath, (answer = fs.existsSync(filePath)));
    return answer;
  }
}

/** The name a module file is imported by: `b` for `b.py` and for `b/__init__.py`. */
function moduleNameOf(name: string, dir: string): string {
  if (name === '__init__.py') return path.basename(dir);
  return name.endsWith('.py') ? name.slice(0, -3) : name;
}

function grownInt32(from: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(size);
  grown.set(from);
  return grown;
}
