// Analysing files on disk the same way for the CLI and the language server's workspace scan:
// configuration from the nearest pyproject.toml under the caller's overrides, imports resolved
// against the project, unreadable files turned into clear messages.
import * as fs from 'fs';
import * as path from 'path';
import type { Analyzer } from '../engine/analyzer';
import { ConfigLayer, EngineConfig, mergeConfig } from '../engine/config';
import type { ConfigProblem } from '../engine/configFile';
import type { Finding } from '../engine/findings';
import { DiskModuleResolver, ModuleSource } from './diskModules';
import type { RunnerFact } from '../engine/model/runners';
import { preforkRunners } from './preforkRunners';
import { nearestPyproject, readPyproject } from './projectConfig';
import { decodeUtf8, looksBinary } from './textFiles';

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
}

/** Files larger than this are skipped: generated code, not hand-written programs. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export class ProjectAnalysis {
  private readonly resolvers = new Map<string, DiskModuleResolver>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly overrides: () => ConfigLayer,
    /** The project root of a file with no pyproject.toml above it (its workspace folder). */
    private readonly fallbackRoot: string | ((filePath: string) => string),
    private readonly openText?: (path: string) => string | undefined,
  ) {}

  configFor(filePath: string): ResolvedConfig {
    const pyproject = nearestPyproject(filePath);
    const parsed = pyproject ? readPyproject(pyproject) : undefined;
    return {
      config: mergeConfig(parsed?.layer ?? {}, this.overrides()),
      problems: parsed?.problems ?? [],
      projectRoot: pyproject ? path.dirname(pyproject) : typeof this.fallbackRoot === 'string' ? this.fallbackRoot : this.fallbackRoot(filePath),
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

  invalidate(filePath: string): void {
    for (const resolver of this.resolvers.values()) resolver.invalidate(filePath);
  }

  /** The workspace scan sets this: a project's Celery / Functions Framework modules, when it knows them. */
  codeRunnersOf?: (projectRoot: string) => RunnerFact[] | undefined;

  analyzeText(filePath: string, text: string, resolved = this.configFor(filePath)): Finding[] {
    const resolver = this.resolverFor(resolved.projectRoot);
    // Reading the runners' files (and scanning for Celery apps) is done only for files that need it;
    // the workspace scan supplies the project's Celery / Functions Framework modules it found.
    const runners = () => preforkRunners(resolved.projectRoot, resolved.config.exclude, this.codeRunnersOf?.(resolved.projectRoot));
    const result = this.analyzer.analyze(filePath, text, resolved.config, { resolver, runners });
    // Findings hold ranges and edits, no nodes: the tree's WebAssembly memory can go now.
    result.tree?.delete();
    return result.findings;
  }

  analyzeFile(filePath: string, resolved = this.configFor(filePath)): FileReport {
    let bytes: Buffer;
    try {
      const stat = fs.statSync(filePath);
      if (stat.size > MAX_FILE_BYTES) return { path: filePath, findings: [], skipped: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
      bytes = fs.readFileSync(filePath);
    } catch (error) {
      return { path: filePath, findings: [], skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    if (looksBinary(bytes)) return { path: filePath, findings: [], skipped: 'binary file' };
    let text: string;
    try {
      text = decodeUtf8(bytes);
    } catch (error) {
      return { path: filePath, findings: [], skipped: (error as Error).message };
    }
    return { path: filePath, findings: this.analyzeText(filePath, text, resolved), text };
  }
}
