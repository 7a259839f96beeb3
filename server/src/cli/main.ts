// `grpc-fork-guard`: the engine as a command-line tool for CI (SPEC §5).
import * as fs from 'fs';
import * as path from 'path';
import { GrammarLoadError, loadPythonLanguage } from '../engine/pythonParser';
import { Analyzer } from '../engine/analyzer';
import { isNotebookPath } from '../engine/notebook/notebookInput';
import { FileReport, ProjectAnalysis } from '../workspace/projectAnalysis';
import { readPyproject } from '../workspace/projectConfig';
import { describeFileError, readTextFile, sourceByteLimit } from '../workspace/textFiles';
import { scanWorkspace } from '../workspace/workspaceScanner';
import { USAGE, UsageError, parseCommandLine } from './args';
import { FixOutcome, FixTarget, fixFile } from './fixCommand';
import { fixNotebook } from './notebookFix';
import { addCounts, describeFixCounts, total } from '../engine/fixes/fixCounts';
import { EXIT_ERROR, guardOutputStreams, writeErr, writeOut } from './output';
import { colourWanted, palette } from './colour';
import { whyNothingChecked } from './nothingChecked';
import { displayPath } from './report';
import { render } from './render';
import { runCommand } from './runCommand';

const EXIT_CLEAN = 0;
const EXIT_FINDINGS = 1;

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeErr(`grpc-fork-guard: error: ${error.message}\nRun "grpc-fork-guard --help" for usage.\n`);
    return EXIT_ERROR;
  }
  if (options.command === 'help') {
    writeOut(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  if (options.command === 'version') {
    writeOut(`${VERSION}\n`);
    return EXIT_CLEAN;
  }
  if (options.command === 'run') return runCommand(options, VERSION);
  const cwd = process.cwd();
  const missing = options.paths.filter((p) => !fs.existsSync(p));
  if (missing.length) {
    // A path that is there but cannot be followed (a link loop, a broken link) says which.
    for (const p of missing) writeErr(`grpc-fork-guard: error: ${isLink(p) ? `${p}: ${linkProblem(p)}` : `path does not exist: ${p}`}\n`);
    return EXIT_ERROR;
  }
  // Only the reports the output needs (findings, skipped files) are kept: a large tree has
  // hundreds of thousands of files with nothing to say.
  const reports = new Map<string, FileReport>();
  let reportedFiles = 0;
  const roots: string[] = [];
  const files: string[] = [];
  const folders: { given: string; absolute: string }[] = [];
  for (const given of options.paths) {
    const absolute = path.resolve(given);
    let isDirectory: boolean;
    try {
      isDirectory = fs.statSync(absolute).isDirectory();
    } catch (error) {
      writeErr(`grpc-fork-guard: error: ${given}: ${describeFileError(error)}\n`);
      return EXIT_ERROR;
    }
    (isDirectory ? roots : files).push(absolute);
    if (isDirectory) folders.push({ given, absolute });
  }
  // Directories are scanned like the workspace (pre-filter, worker threads); named files are always analysed.
  let summary;
  try {
    summary = await scanWorkspace({
      roots: roots.map((root) => ({ path: root, layer: options.overrides })),
      files,
      fileLayer: options.overrides,
      onReport: (report) => {
        if (!report.repeat) reportedFiles++;
        if (report.findings.length > 0 || report.skipped) reports.set(report.path, { path: report.path, findings: report.findings, skipped: report.skipped });
        else reports.delete(report.path);
      },
    });
  } catch (error) {
    // A missing or corrupt grammar is the likely cause (a broken install): say that, not a stack.
    await loadPythonLanguage();
    throw error;
  }
  // When no file needed parsing, the workers never proved the grammar: a broken install still says so.
  if (summary.analysed === 0) await loadPythonLanguage();
  let configError = false;
  for (const pyproject of summary.pyprojects) {
    for (const problem of readPyproject(pyproject).problems) {
      configError = true;
      writeErr(`grpc-fork-guard: configuration error in ${displayPath(problem.file, cwd)}${problem.key ? ` (${problem.key})` : ''}: ${problem.message}\n`);
    }
  }
  const ordered = [...reports.values()].sort((a, b) => comparePaths(a.path, b.path));
  const warning = palette(colourWanted(process.stderr.isTTY, process.env)).warning('warning');
  for (const report of ordered) {
    if (report.skipped) writeErr(`grpc-fork-guard: ${warning}: ${displayPath(report.path, cwd)} skipped: ${report.skipped}\n`);
  }
  const checkedFiles = reportedFiles - ordered.filter((report) => report.skipped).length;
  if (checkedFiles === 0) {
    for (const reason of whyNothingChecked(folders, ordered, options.overrides)) writeErr(`grpc-fork-guard: ${warning}: nothing was checked: ${reason}\n`);
  }
  if (options.command === 'fix') {
    // Fixes are applied on this thread, to the files the scan found something in.
    const project = new ProjectAnalysis(await Analyzer.create(), () => options.overrides);
    const targets: FixTarget[] = [];
    let unreadable = false;
    // Two names of one file (hard links) are fixed once.
    const seen = new Set<string>();
    for (const report of ordered) {
      if (report.skipped || report.findings.length === 0) continue;
      const identity = fileIdentity(report.path);
      if (identity && seen.has(identity)) continue;
      if (identity) seen.add(identity);
      const read = readTextFile(report.path, { maxBytes: sourceByteLimit(report.path) });
      if ('refused' in read) {
        unreadable = true;
        writeErr(`grpc-fork-guard: error: ${displayPath(report.path, cwd)} not fixed: ${read.refused}\n`);
      } else {
        targets.push({ path: report.path, bytes: read.bytes, text: read.text, encoding: read.encoding });
      }
    }
    return runFix(project, targets, options, cwd, configError || unreadable);
  }
  writeOut(`${render(options, ordered, cwd, checkedFiles, VERSION)}\n`);
  if (configError) return EXIT_ERROR;
  const found = ordered.some((r) => r.findings.length > 0);
  return found && !options.exitZero ? EXIT_FINDINGS : EXIT_CLEAN;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkProblem(p: string): string {
  try {
    fs.statSync(p);
    return 'cannot be read';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link loop' : 'a broken symbolic link';
  }
}

function fileIdentity(filePath: string): string | undefined {
  try {
    const stat = fs.statSync(filePath);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/** The order of a directory walk: folder by folder, names sorted. */
function comparePaths(a: string, b: string): number {
  const left = a.split(path.sep);
  const right = b.split(path.sep);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return left.length - right.length;
}

function runFix(project: ProjectAnalysis, targets: FixTarget[], options: { unsafeFixes: boolean; diff: boolean; exitZero: boolean }, cwd: string, failed: boolean): number {
  const outcomes: FixOutcome[] = [];
  for (const target of targets) {
    const fixer = isNotebookPath(target.path) ? fixNotebook : fixFile;
    outcomes.push(fixer(project, target, { unsafe: options.unsafeFixes, diff: options.diff, cwd }, (text) => writeOut(text)));
  }
  const removed = new Map<string, number>();
  const left = new Map<string, number>();
  const unsafeOnly = new Map<string, number>();
  for (const { counts } of outcomes) {
    addCounts(removed, counts.removed);
    addCounts(left, counts.left);
    addCounts(unsafeOnly, counts.unsafeOnly);
  }
  for (const outcome of outcomes) {
    if (outcome.notWritten) {
      failed = true;
      writeErr(`grpc-fork-guard: error: ${displayPath(outcome.path, cwd)} not fixed (left unchanged): ${outcome.notWritten}\n`);
    }
    if (outcome.inPlace) writeErr(`${displayPath(outcome.path, cwd)}: written in place to keep its other hard links\n`);
    for (const title of outcome.applied) writeErr(`${displayPath(outcome.path, cwd)}: ${options.diff ? 'would apply' : 'applied'} ${title}\n`);
  }
  const allowUnsafe = 'use --unsafe-fixes or the grpcForkGuard.unsafeFixes setting to apply them';
  writeErr(`${describeFixCounts({ removed, left, unsafeOnly }, { fixed: options.diff ? 'Would fix' : 'Fixed', left: 'remaining', allowUnsafe })}\n`);
  if (failed) return EXIT_ERROR;
  return total(left) > 0 && !options.exitZero ? EXIT_FINDINGS : EXIT_CLEAN;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/** One line for the user; the stack only with --verbose. */
function reportFailure(error: unknown): void {
  const verbose = process.argv.includes('--verbose');
  let message: string;
  if (error instanceof GrammarLoadError) message = error.message;
  else if (verbose) message = `internal error: ${(error as Error)?.stack ?? String(error)}`;
  else message = `internal error: ${String((error as Error)?.message ?? error).split('\n')[0]} (run with --verbose for details)`;
  writeErr(`grpc-fork-guard: error: ${message}\n`);
  process.exitCode = EXIT_ERROR;
}

guardOutputStreams();
process.on('uncaughtException', (error) => {
  reportFailure(error);
  process.exit(EXIT_ERROR);
});
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  reportFailure,
);
