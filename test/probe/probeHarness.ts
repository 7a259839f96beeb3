// Runs `grpc-fork-guard run` (and Python with the probe alone) for the probe tier, bounded by a timeout
// that kills the whole process group, so a hang fails the test instead of blocking it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliJs, repoRoot } from '../support/paths';
import { PYTHON } from '../runtime/harness';

export const PROBE_DIR = path.join(repoRoot, 'probe');

export interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface JsonFinding {
  path: string;
  code: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  related: { path: string; message: string; range: { start: { line: number } } }[];
  confirmed: boolean;
}

/** The environment without gRPC variables a test did not ask for. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('GRPC_') || key === 'PYTHONPATH') delete env[key];
  return { ...env, ...extra };
}

export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(options.input ?? '');
    let code: number | null = null;
    let signal: string | null = null;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const done = () => resolve({ code, signal, stdout, stderr, timedOut });
    child.on('exit', (c, s) => {
      code = c;
      signal = s;
      clearTimeout(timer);
      killGroup(); // forked children left hanging by a broken program
      // A grandchild outside the group (a program that made its own) may still hold the pipes:
      // the run is over once its process is, whatever else keeps them open.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, 5_000).unref();
    });
    child.on('close', done);
  });
}

/**
 * `grpc-fork-guard run --format json -- timeout ... COMMAND`: the program gets `programSeconds`
 * (a broken program may hang; `run` still reports), the whole run a little more.
 */
export async function runWithProbe(command: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; programSeconds?: number; extraArgs?: string[] }): Promise<{ outcome: Outcome; findings: JsonFinding[] }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-probe-'));
  const output = path.join(scratch, 'findings.json');
  const seconds = options.programSeconds ?? 10;
  try {
    const outcome = await runProcess(process.execPath, [cliJs, 'run', '--format', 'json', '--output', output, ...(options.extraArgs ?? []), '--', 'timeout', '--foreground', '-k', '2', String(seconds), ...command], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      timeoutMs: (seconds + 60) * 1000,
    });
    const findings = fs.existsSync(output) ? (JSON.parse(fs.readFileSync(output, 'utf8')) as JsonFinding[]) : [];
    if (!fs.existsSync(output)) throw new Error(`run wrote no findings: ${outcome.stderr}`);
    return { outcome, findings };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Python with the probe only (no CLI), writing the raw report to `report`. */
export function pythonWithProbe(args: string[], options: { cwd: string; report: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Outcome> {
  return runProcess(PYTHON, args, {
    cwd: options.cwd,
    env: cleanEnv({ ...options.env, PYTHONPATH: [PROBE_DIR, options.env?.PYTHONPATH].filter(Boolean).join(path.delimiter), GRPC_FORK_GUARD_REPORT: options.report }),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

export function pythonPlain(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Outcome> {
  return runProcess(PYTHON, args, { cwd: options.cwd, env: cleanEnv(options.env), timeoutMs: options.timeoutMs ?? 60_000 });
}

export function staticCheck(file: string, cwd: string): Promise<Outcome> {
  return runProcess(process.execPath, [cliJs, 'check', '--format', 'json', file], { cwd, env: cleanEnv(), timeoutMs: 120_000 });
}
