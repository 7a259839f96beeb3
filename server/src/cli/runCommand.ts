// `grpc-fork-guard run -- COMMAND`: runs the command with the run-time probe, passes its output and
// exit code through, then reports the findings the probe saw in the formats of `check`, each marked
// confirmed (the static analysis reports it too) or seen only at run time.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer } from '../engine/analyzer';
import type { Finding } from '../engine/findings';
import { confirmingFinding, markConfirmation, StaticFinding } from '../probe/confirmation';
import { parseProbeReport, ProbeEvent } from '../probe/probeEvents';
import { probeDirectory, probedEnvironment } from '../probe/probeLocation';
import { RuntimeFinding, runtimeFindings, summarizeRun } from '../probe/runtimeFindings';
import { FileReport, ProjectAnalysis } from '../workspace/projectAnalysis';
import { MAX_SOURCE_BYTES, describeFileError, readTextFile } from '../workspace/textFiles';
import type { CliOptions } from './args';
import { EXIT_ERROR, writeErr, writeOut } from './output';
import { render } from './render';
import { displayPath, toJson } from './report';

export async function runCommand(options: CliOptions, version: string): Promise<number> {
  const command = options.runCommand ?? [];
  const probeDir = probeDirectory();
  if (!probeDir) {
    writeErr('grpc-fork-guard: error: the probe (the probe/ folder beside dist/) is missing: reinstall grpc-fork-guard\n');
    return EXIT_ERROR;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-fork-guard-run-'));
  try {
    const reportFile = path.join(workDir, 'report.jsonl');
    const outcome = await runProgram(command, probedEnvironment(process.env, probeDir, reportFile));
    if ('failure' in outcome) {
      writeErr(`grpc-fork-guard: error: cannot run ${command[0]}: ${outcome.failure}\n`);
      return EXIT_ERROR;
    }
    const events = readEvents(reportFile);
    const { reports, confirmations } = await confirmedReports(events, options);
    const confirmed = confirmations.map(Boolean);
    const cwd = process.cwd();
    const findingCount = reports.reduce((n, r) => n + r.findings.length, 0);
    let text = render(options, reports, cwd, 1, version);
    if (options.format === 'json' && !options.statistics) {
      // `confirmedBy`: the finding of `check` that matches (the editor marks it "confirmed at run time").
      text = JSON.stringify(toJson(reports, cwd).map((entry, index) => {
        const by = confirmations[index];
        return { ...entry, confirmed: Boolean(by), ...(by ? { confirmedBy: { path: displayPath(by.path, cwd), code: by.finding.code, range: by.finding.range } } : {}) };
      }), null, 2);
    }
    if (options.outputFile) {
      try {
        fs.writeFileSync(options.outputFile, `${text}\n`);
      } catch (error) {
        writeErr(`grpc-fork-guard: error: cannot write ${options.outputFile}: ${describeFileError(error)}\n`);
        return EXIT_ERROR;
      }
    } else {
      writeOut(`${text}\n`);
    }
    writeErr(`${summaryLine(events, findingCount, confirmed.filter(Boolean).length)}\n`);
    return outcome.exitCode;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

type ProgramOutcome = { exitCode: number } | { failure: string };

/** Runs the command on this terminal; a signal the user sends to this process reaches the program. */
function runProgram(command: string[], env: NodeJS.ProcessEnv): Promise<ProgramOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    // Ctrl-C reaches the whole foreground group, the program included: this process only waits.
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== 'SIGINT') child.kill(signal);
    };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = (outcome: ProgramOutcome) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(outcome);
    };
    child.on('error', (error) => done({ failure: describeFileError(error) }));
    child.on('exit', (code, signal) => done({ exitCode: code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 0) }));
  });
}

function readEvents(reportFile: string): ProbeEvent[] {
  try {
    return parseProbeReport(fs.readFileSync(reportFile, 'utf8'));
  } catch {
    return []; // no process wrote anything: nothing imported grpc or forked
  }
}

function sourceLines(file: string): string[] | undefined {
  const read = readTextFile(file, { maxBytes: MAX_SOURCE_BYTES });
  return 'refused' in read ? undefined : read.text.split(/\r\n|\r|\n/);
}

/** The run's findings by file, each marked after the static analysis of the files involved. */
async function confirmedReports(events: ProbeEvent[], options: CliOptions): Promise<{ reports: FileReport[]; confirmations: (StaticFinding | undefined)[] }> {
  const selected = runtimeFindings(events, sourceLines, process.cwd()).filter((f) => isSelected(f.finding, options));
  const staticFindings = await analyseFiles(involvedFiles(selected), options);
  const byPath = new Map<string, { finding: Finding; confirmed: StaticFinding | undefined }[]>();
  for (const found of selected) {
    const confirmed = confirmingFinding(found, staticFindings);
    const marked = markConfirmation(found, Boolean(confirmed));
    const list = byPath.get(found.path) ?? [];
    list.push({ finding: marked.finding, confirmed });
    byPath.set(found.path, list);
  }
  const reports: FileReport[] = [];
  const confirmations: (StaticFinding | undefined)[] = [];
  for (const file of [...byPath.keys()].sort()) {
    const entries = byPath.get(file)!.sort((a, b) => a.finding.range.start.line - b.finding.range.start.line || a.finding.range.start.character - b.finding.range.start.character || a.finding.code.localeCompare(b.finding.code));
    reports.push({ path: file, findings: entries.map((e) => e.finding) });
    confirmations.push(...entries.map((e) => e.confirmed));
  }
  return { reports, confirmations };
}

function isSelected(finding: Finding, options: CliOptions): boolean {
  const { select, ignore } = options.overrides;
  if (select && !select.includes(finding.code as never)) return false;
  return !ignore?.includes(finding.code as never);
}

function involvedFiles(found: RuntimeFinding[]): string[] {
  const files = new Set<string>();
  for (const { path: file, finding } of found) {
    files.add(file);
    for (const related of finding.related) if (related.path) files.add(related.path);
  }
  return [...files].filter((file) => file.endsWith('.py') && fs.existsSync(file));
}

async function analyseFiles(files: string[], options: CliOptions): Promise<StaticFinding[]> {
  if (files.length === 0) return [];
  const project = new ProjectAnalysis(await Analyzer.create(), () => options.overrides);
  return files.flatMap((file) => project.analyzeFile(file).findings.map((finding) => ({ path: file, finding })));
}

function summaryLine(events: ProbeEvent[], findings: number, confirmed: number): string {
  if (!events.some((e) => e.event === 'grpc-import')) return 'grpc-fork-guard run: the program never imported grpc; nothing to report.';
  const { processes, forks, objects } = summarizeRun(events);
  const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('s') ? `${word}es` : `${word}s`}`;
  return `grpc-fork-guard run: ${plural(findings, 'finding')} seen at run time (${confirmed} confirmed by check) in ${plural(processes, 'process')}, ${plural(forks, 'fork')}, ${plural(objects, 'gRPC object')} alive at a fork.`;
}
