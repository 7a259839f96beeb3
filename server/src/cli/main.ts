// `grpc-fork-guard`: the engine as a command-line tool for CI (SPEC §5).
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../engine/analyzer';
import { GrammarLoadError } from '../engine/pythonParser';
import { listPythonFiles } from '../workspace/pythonFiles';
import { FileReport, ProjectAnalysis } from '../workspace/projectAnalysis';
import { USAGE, UsageError, parseCommandLine } from './args';
import { FixOutcome, fixFile } from './fixCommand';
import { displayPath, toJson, toText } from './report';

const EXIT_CLEAN = 0;
const EXIT_FINDINGS = 1;
const EXIT_ERROR = 2;

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`grpc-fork-guard: error: ${error.message}\nRun "grpc-fork-guard --help" for usage.\n`);
    return EXIT_ERROR;
  }
  if (options.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  if (options.command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_CLEAN;
  }
  const cwd = process.cwd();
  const missing = options.paths.filter((p) => !fs.existsSync(p));
  if (missing.length) {
    for (const p of missing) process.stderr.write(`grpc-fork-guard: error: path does not exist: ${p}\n`);
    return EXIT_ERROR;
  }
  const analyzer = await Analyzer.create();
  const project = new ProjectAnalysis(analyzer, () => options.overrides, cwd);
  const reports: FileReport[] = [];
  const reportedProblems = new Set<string>();
  let configError = false;
  for (const given of options.paths) {
    const absolute = path.resolve(given);
    const isDirectory = fs.statSync(absolute).isDirectory();
    const files = isDirectory ? listPythonFiles(absolute, project.configFor(path.join(absolute, '__init__.py')).config.exclude) : [absolute];
    for (const file of files) {
      const resolved = project.configFor(file);
      for (const problem of resolved.problems) {
        const key = `${problem.file}:${problem.key}:${problem.message}`;
        if (reportedProblems.has(key)) continue;
        reportedProblems.add(key);
        configError = true;
        process.stderr.write(`grpc-fork-guard: configuration error in ${displayPath(problem.file, cwd)}${problem.key ? ` (${problem.key})` : ''}: ${problem.message}\n`);
      }
      const report = project.analyzeFile(file, resolved);
      if (report.skipped) process.stderr.write(`grpc-fork-guard: warning: ${displayPath(file, cwd)} skipped: ${report.skipped}\n`);
      reports.push(report);
    }
  }
  if (options.command === 'fix') return runFix(project, reports, options, cwd, configError);
  process.stdout.write(options.format === 'json' ? `${JSON.stringify(toJson(reports, cwd), null, 2)}\n` : `${toText(reports, cwd)}\n`);
  if (configError) return EXIT_ERROR;
  const found = reports.some((r) => r.findings.length > 0);
  return found && !options.exitZero ? EXIT_FINDINGS : EXIT_CLEAN;
}

function runFix(project: ProjectAnalysis, reports: FileReport[], options: { unsafeFixes: boolean; diff: boolean; exitZero: boolean }, cwd: string, configError: boolean): number {
  const outcomes: FixOutcome[] = [];
  for (const report of reports) {
    if (report.skipped || report.findings.length === 0) continue;
    outcomes.push(fixFile(project, report, { unsafe: options.unsafeFixes, diff: options.diff, cwd }, (text) => process.stdout.write(text)));
  }
  const fixed = outcomes.reduce((n, o) => n + o.applied.length, 0);
  const remaining = outcomes.reduce((n, o) => n + o.remaining, 0);
  for (const outcome of outcomes) {
    for (const title of outcome.applied) process.stderr.write(`${displayPath(outcome.path, cwd)}: ${options.diff ? 'would apply' : 'applied'} ${title}\n`);
  }
  process.stderr.write(`${options.diff ? 'Would fix' : 'Fixed'} ${fixed} problem${fixed === 1 ? '' : 's'}; ${remaining} remaining${remaining && !options.unsafeFixes ? ' (some may have unsafe fixes: --unsafe-fixes)' : ''}.\n`);
  if (configError) return EXIT_ERROR;
  return remaining > 0 && !options.exitZero ? EXIT_FINDINGS : EXIT_CLEAN;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const message = error instanceof GrammarLoadError ? error.message : `internal error: ${(error as Error).stack ?? error}`;
    process.stderr.write(`grpc-fork-guard: error: ${message}\n`);
    process.exitCode = EXIT_ERROR;
  },
);
