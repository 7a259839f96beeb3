// Phase 2 of the workspace scan: the files the pre-filter dropped that still must be analysed,
// because they import, directly or through other files, a module that can hold a finding
// (prefilter.ts says why a file's own text and this closure together lose nothing). Imports are
// resolved as the engine resolves them: the same resolver, the same project roots.
import * as fs from 'fs';
import * as path from 'path';
import { DiskModuleResolver } from './diskModules';
import { PrefilterVerdict, prefilter } from './prefilter';
import { importBases, projectRootOf } from './projectRoots';
import { innermostFolder } from './scanProtocol';
import { readSourceFile } from './textFiles';

/** What the closure needs to know of the scan. */
export interface ClosureScope {
  /** The scanned folders. */
  rootPaths: string[];
  /** The language server's project rule (ScanOptions.rootIsProject). */
  rootIsProject: boolean;
  /** Every listed file, with the index of its scanned folder. */
  listed: ReadonlyMap<string, number>;
  /** Files and folders the listing left out (excluded, ignored). */
  skipped: ReadonlySet<string>;
  /** First components of the catalog's modules (engine/relevance.ts catalogRoots). */
  catalog: ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

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
  private readonly listed: ReadonlyMap<string, number>;
  private readonly skipped: ReadonlySet<string>;

  constructor(private readonly scope: ClosureScope) {
    this.rootPaths = scope.rootPaths;
    this.listed = scope.listed;
    this.skipped = scope.skipped;
  }

  /** Files the pre-filter dropped, with the modules they import. */
  private readonly dropped = new Map<string, string[]>();
  /** Modules outside the listing (above the folders, excluded, ignored), read on demand. */
  private readonly outside = new Map<string, PrefilterVerdict>();
  private readonly outsideInteresting = new Set<string>();

  /** Records what a file the pre-filter dropped imports (as phase 1's results stream in). */
  add(file: string, imports: string[]): void {
    if (imports.length) this.dropped.set(file, imports);
  }

  /**
   * The dropped files that import, directly or through others, a file that passed the pre-filter
   * (or a module outside the listing that would). A fixpoint guided by names: an import can load
   * module `.../b.py` or `.../b/__init__.py` only if its last component is `b` (or it is bare
   * dots, `from . import x`), so only such imports are resolved, plus those whose first part names
   * something outside the listing. Each round adds files; the names of new files join the next.
   */
  filesToAnalyse(triggering: Set<string>): string[] {
    const interesting = new Set(triggering);
    const names = new Set<string>();
    const addNames = (file: string) => {
      const base = path.basename(file, '.py');
      names.add(base === '__init__' ? path.basename(path.dirname(file)) : base);
    };
    for (const file of interesting) addNames(file);
    const result: string[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (const [file, modules] of this.dropped) {
        if (interesting.has(file) || !this.importsInteresting(file, modules, names, interesting, new Set())) continue;
        interesting.add(file);
        addNames(file);
        result.push(file);
        changed = true;
      }
    }
    return result.sort();
  }

  private importsInteresting(file: string, modules: string[], names: Set<string>, interesting: Set<string>, visiting: Set<string>): boolean {
    const dir = path.dirname(file);
    const projectRoot = this.projectRootOf(dir);
    const outsideFile = !this.listed.has(file);
    const leaving = outsideFile ? undefined : this.leavingModules(file, dir, projectRoot, modules);
    for (const module of modules) {
      const last = module.slice(module.lastIndexOf('.') + 1);
      if (leaving && !(last === '' || names.has(last) || leaving.has(module))) continue;
      const target = this.resolve(file, dir, projectRoot, module);
      if (!target || target === file) continue;
      if (interesting.has(target) || this.outsideInteresting.has(target)) return true;
      if (!this.listed.has(target) && !visiting.has(target) && this.isOutsideInteresting(target, names, interesting, visiting)) return true;
    }
    return false;
  }

  /** A module outside the listing matters if its text triggers or it leads to one that matters. */
  private isOutsideInteresting(target: string, names: Set<string>, interesting: Set<string>, visiting: Set<string>): boolean {
    let entry = this.outside.get(target);
    if (!entry) {
      const read = readSourceFile(target);
      entry = 'refused' in read ? { mayReport: false, imports: [] } : prefilter(read.bytes, this.scope.catalog);
      this.outside.set(target, entry);
    }
    visiting.add(target);
    const answer = entry.mayReport || this.importsInteresting(target, entry.imports, names, interesting, visiting);
    if (answer) this.outsideInteresting.add(target);
    return answer;
  }

  private readonly leaving = new Map<string, ReadonlySet<string>>();
  private readonly absoluteInside = new Map<string, boolean>();

  /** The modules of a dropped file that may resolve to a file the listing does not hold (computed once). */
  private leavingModules(file: string, dir: string, projectRoot: string, modules: string[]): ReadonlySet<string> {
    let set = this.leaving.get(file);
    if (!set) {
      let absoluteInside = this.absoluteInside.get(dir);
      if (absoluteInside === undefined) {
        absoluteInside = importBases(dir, projectRoot, (p) => this.exists(p)).every((base) => this.unlistedNamesIn(base) !== 'all');
        this.absoluteInside.set(dir, absoluteInside);
      }
      this.unlistedAnywhere ??= new Set([...this.skipped].map((entry) => path.basename(entry, '.py')));
      const found = modules.filter((module) => {
        // The common case, quickly: the resolver's roots inside the scanned folders, and no part
        // of the name is the name of something the listing skipped.
        if (module.charCodeAt(0) !== 46 && absoluteInside && !module.split('.').some((part) => this.unlistedAnywhere!.has(part))) return false;
        return this.mayLeaveListing(dir, projectRoot, module);
      });
      set = found.length ? new Set(found) : EMPTY;
      this.leaving.set(file, set);
    }
    return set;
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
    if (this.listed.has(filePath)) return true;
    const cached = this.existsCache.get(filePath);
    if (cached !== undefined) return cached;
    let answer: boolean | undefined;
    const root = this.rootPaths.find((r) => filePath.startsWith(r + path.sep));
    if (root !== undefined && !this.isUnderSkipped(filePath, root)) answer = false;
    answer ??= fs.existsSync(filePath);
    this.existsCache.set(filePath, answer);
    return answer;
  }
}
