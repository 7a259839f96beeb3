// Analysing files on disk the same way for the CLI and the language server's workspace scan:
// configuration from the nearest pyproject.toml under the caller's overrides, imports resolved
// against the file's project (projectRoots.ts: found from the file, never the working
// directory), unreadable files turned into clear messages.
import * as path from 'path';
import type { Analyzer } from '../engine/analyzer';
import { ConfigLayer, EngineConfig, mergeConfig } from '../engine/config';
import type { ConfigProblem } from '../engine/configFile';
import type { Finding } from '../engine/findings';
import { DiskModuleResolver, ModuleSource } from './diskModules';
import type { RunnerFact } from '../engine/model/runners';
import { preforkRunners } from './preforkRunners';
import { nearestPyproject, readPyproject } from './projectConfig';
import { projectImportLint } from './projectLinter';
import { PROJECT_MARKERS, forgetProjectMarkers, projectRootOf } from './projectRoots';
import { readSourceFile } from './textFiles';

export interface FileReport {
  path: string;
  findings: Finding[];
  text?: string;
  /** Why the file was not analysed. */
  skipped?: string;
}

export interface ResolvedConfig {
  config: EngineConfig;
  problems: ConfigProblem[];
  projectRoot: string;
  /** The pyproject.toml whose `[tool.grpc-fork-guard]` section applies, if any. */
  pyproject?: string;
}


/** Imported modules kept parsed between analyses, per project: the ones a file imports are mostly those the next imports. */
const KEPT_MODULE_TREES = 64;

export class ProjectAnalysis {
  private readonly resolvers = new Map<string, DiskModuleResolver>();

  constructor(
    private readonly analyzer: Analyzer,
    /** The caller's layer over pyproject.toml when `configFor` is given none. */
    private readonly overrides: () => ConfigLayer,
    /**
     * The folder taken as a file's project when no project marker is found between the file and
     * it (the language server's workspace folder, a test's fixture folder); see projectRootOf.
     */
    private readonly boundary?: string | ((filePath: string) => string | undefined),
    /** The text of a file open in the editor, unsaved changes included (read instead of the disk). */
    readonly openText?: (path: string) => string | undefined,
  ) {}

  /** `overrides`: the caller's layer over pyproject.toml (the editor passes each document's settings). */
  configFor(filePath: string, overrides: ConfigLayer = this.overrides()): ResolvedConfig {
    const pyproject = nearestPyproject(filePath);
    const parsed = pyproject ? readPyproject(pyproject) : undefined;
    const projectRoot = projectRootOf(filePath, typeof this.boundary === 'function' ? this.boundary(filePath) : this.boundary);
    return {
      config: mergeConfig({ importLint: projectImportLint(filePath, projectRoot) }, parsed?.layer ?? {}, overrides),
      problems: parsed?.problems ?? [],
      projectRoot,
      pyproject: parsed?.hasSection ? pyproject : undefined,
    };
  }

  resolverFor(projectRoot: string): DiskModuleResolver {
    let resolver = this.resolvers.get(projectRoot);
    if (!resolver) {
      const source: ModuleSource = { parse: (text) => this.analyzer.parseWithinBudget(text), openText: this.openText };
      resolver = new DiskModuleResolver(projectRoot, source);
      this.resolvers.set(projectRoot, resolver);
    }
    return resolver;
  }

  /** Frees imported modules' trees beyond the few used last (diskModules.ts); between analyses only. */
  trimModules(keep = KEPT_MODULE_TREES): void {
    for (const resolver of this.resolvers.values()) resolver.trim(keep);
  }

  invalidate(filePath: string): void {
    if (PROJECT_MARKERS.includes(path.basename(filePath))) forgetProjectMarkers();
    for (const resolver of this.resolvers.values()) resolver.invalidate(filePath);
  }

  /** The workspace scan sets this: a project's Celery / Functions Framework modules, when it knows them. */
  codeRunnersOf?: (projectRoot: string) => RunnerFact[] | undefined;

  analyzeText(filePath: string, text: string, resolved = this.configFor(filePath)): Finding[] {
    const resolver = this.resolverFor(resolved.projectRoot);
    // Reading the runners' files (and scanning for Celery apps) is done only for files that need it;
    // the workspace scan supplies the project's Celery / Functions Framework modules it found.
    const runners = () => preforkRunners(resolved.projectRoot, path.dirname(filePath), resolved.config.exclude, this.codeRunnersOf?.(resolved.projectRoot), this.openText);
    const result = this.analyzer.analyze(filePath, text, resolved.config, { resolver, runners });
    // Findings hold ranges and edits, no nodes: the tree's WebAssembly memory can go now.
    result.tree?.delete();
    this.trimModules();
    return result.findings;
  }

  analyzeFile(filePath: string, resolved = this.configFor(filePath)): FileReport {
    const read = readSourceFile(filePath);
    if ('refused' in read) return { path: filePath, findings: [], skipped: read.refused };
    const text = read.text();
    return { path: filePath, findings: this.analyzeText(filePath, text, resolved), text };
  }
}
