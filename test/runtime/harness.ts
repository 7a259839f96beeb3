/**
 * Runtime-proof harness: starts the local echo server and runs Python
 * programs under the system interpreter with real grpcio, bounded by a
 * timeout that kills the whole process group (forked children included).
 *
 * Node built-ins only, so it can be bundled by esbuild or compiled by tsc.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const PYTHON = "/usr/bin/python3";

export const GRPC_MISSING_MESSAGE =
  "python3-grpcio is not installed: apt-get install -y python3-grpcio";

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  cwd?: string;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Wall time from spawn to exit (or to the kill on timeout), in ms. */
  durationMs: number;
}

export interface EchoServer {
  /** host:port of the server, always on 127.0.0.1. */
  address: string;
  stop(): Promise<void>;
}

/**
 * The folder that holds echo_server.py and programs/. Works from the source
 * tree, from tsc output (walks up to the repository's test/runtime) and from
 * an esbuild bundle placed elsewhere (falls back to the current folder's
 * test/runtime). GF_RUNTIME_DIR overrides.
 */
export function runtimeDir(): string {
  const candidates: string[] = [];
  if (process.env.GF_RUNTIME_DIR) candidates.push(process.env.GF_RUNTIME_DIR);
  if (typeof __dirname !== "undefined") {
    let dir = __dirname;
    candidates.push(dir);
    for (;;) {
      candidates.push(path.join(dir, "test", "runtime"));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  candidates.push(path.join(process.cwd(), "test", "runtime"));
  for (const c of candidates) {
    if (existsSync(path.join(c, "echo_server.py")) && existsSync(path.join(c, "programs"))) {
      return c;
    }
  }
  throw new Error(
    "cannot find test/runtime (echo_server.py); run from the repository root or set GF_RUNTIME_DIR",
  );
}

export function programsDir(): string {
  return path.join(runtimeDir(), "programs");
}

/**
 * Undefined when /usr/bin/python3 can import grpc; otherwise the message to
 * show (the test should skip with it).
 */
export function pythonWithGrpc(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "import grpc"], { stdio: "ignore", timeout: 30_000 });
  if (r.error || r.status !== 0) return GRPC_MISSING_MESSAGE;
  return undefined;
}

/** Send a signal to a whole process group, ignoring "no such process". */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

/**
 * Environment for a Python child: the caller's environment minus gRPC
 * variables that would change what the programs test, plus `extra`.
 */
function pythonEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith("GRPC_")) delete env[k];
  }
  env.PYTHONUNBUFFERED = "1";
  env.PYTHONDONTWRITEBYTECODE = "1";
  return { ...env, ...extra };
}

/**
 * Run a Python file with /usr/bin/python3 in its own process group. On
 * timeout the whole group gets SIGKILL. After the main process exits, any
 * leftover processes in its group (e.g. forked children stuck in gRPC) are
 * killed too, so the pipes close and nothing outlives the run.
 */
export function runPython(file: string, opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(PYTHON, [file], {
        cwd: opts.cwd ?? path.dirname(file),
        env: pythonEnv(opts.env),
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      reject(e);
      return;
    }
    const pid = child.pid;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let ended: number | undefined;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));

    const timer = setTimeout(() => {
      timedOut = true;
      ended = Date.now();
      killGroup(pid, "SIGKILL");
    }, opts.timeoutMs);

    child.on("error", (e) => {
      clearTimeout(timer);
      killGroup(pid, "SIGKILL");
      reject(e);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (ended === undefined) ended = Date.now();
      exitCode = code;
      exitSignal = signal;
      // Leftover children keep the pipes open; end them.
      killGroup(pid, "SIGKILL");
    });
    child.on("close", () => {
      resolve({
        code: exitCode,
        signal: exitSignal,
        stdout,
        stderr,
        timedOut,
        durationMs: (ended ?? Date.now()) - started,
      });
    });
  });
}

/**
 * Start test/runtime/echo_server.py and resolve once it has printed its
 * port. The server serves /gf.Echo/Echo (bytes in, same bytes out).
 */
export function startEchoServer(timeoutMs = 15_000): Promise<EchoServer> {
  const script = path.join(runtimeDir(), "echo_server.py");
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], {
      env: pythonEnv(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = child.pid;
    let out = "";
    let err = "";
    let settled = false;
    const exited = new Promise<void>((r) => child.on("close", () => r()));

    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(pid, "SIGKILL");
      reject(new Error(`echo server: ${why}\n${err}`));
    };
    const timer = setTimeout(() => fail(`no port printed within ${timeoutMs} ms`), timeoutMs);

    child.on("error", (e) => fail(String(e)));
    child.on("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0 || settled) return;
      const port = Number(out.slice(0, nl).trim());
      if (!Number.isInteger(port) || port <= 0) {
        fail(`bad first line ${JSON.stringify(out.slice(0, nl))}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.stdout!.resume();
      resolve({
        address: `127.0.0.1:${port}`,
        async stop() {
          killGroup(pid, "SIGTERM");
          const t = setTimeout(() => killGroup(pid, "SIGKILL"), 3_000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}

/** Run `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** The quick-fix titles of SPEC §3 that a runtime case can prove. */
export const FIX_TITLES = [
  "Create the channel in the child",
  "Enable gRPC fork support",
  "Use the 'spawn' start method",
  "Start the server in each child",
  "Start the server after the forks",
  "Add grpc.so_reuseport",
  "Move options to grpc.server",
  "Remove the arguments the port method does not take",
  "Move the environment settings above `import grpc`",
  "Set GRPC_POLL_STRATEGY to poll",
  "Use a thread pool",
  "Close the parent's channel before the fork",
] as const;

export interface ProgramVariant {
  /** File name, e.g. `pool_global_channel.variant-initializer-only.py`. */
  file: string;
  /** Absolute path. */
  path: string;
  description: string;
  expect: "ok" | "fail";
}

export interface RuntimeCase {
  /** Base name, e.g. `pool_global_channel`. */
  name: string;
  /** Absolute path of the broken program. */
  broken: string;
  /** Absolute path of the hand-fixed program. */
  fixed: string;
  /** Rule codes from the `# hazard:` header. */
  hazards: string[];
  /** Fix titles from the `# fix:` header lines, in order. */
  fixes: string[];
  /**
   * Rules from a `# still reported:` header: the engine still reports them after its fix (a
   * known limit, said there with why); the program must run all the same.
   */
  stillReported: string[];
  /** Partial or alternative fixes, each with its measured expectation. */
  variants: ProgramVariant[];
}

function headerLines(source: string): string[] {
  const out: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    if (!line.startsWith("#")) break;
    out.push(line);
  }
  return out;
}

function headerValues(source: string, key: string): string[] {
  const prefix = `# ${key}:`;
  return headerLines(source)
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length).trim());
}

/**
 * Read programs/: every `<case>.py` with its `<case>.fixed.py` and any
 * `<case>.variant-<slug>.py`. Throws on a malformed header or a missing
 * fixed program, so a broken manifest fails loudly.
 */
export function loadCases(dir: string = programsDir()): RuntimeCase[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".py")).sort();
  const cases: RuntimeCase[] = [];
  for (const file of files) {
    const name = file.slice(0, -3);
    if (name.includes(".")) continue; // a fixed program or a variant
    const broken = path.join(dir, file);
    const fixedFile = `${name}.fixed.py`;
    if (!files.includes(fixedFile)) throw new Error(`${file}: no ${fixedFile}`);
    const src = readFileSync(broken, "utf8");
    const hazards = headerValues(src, "hazard").flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
    const fixes = headerValues(src, "fix");
    if (hazards.length === 0) throw new Error(`${file}: no "# hazard:" header`);
    if (fixes.length === 0) throw new Error(`${file}: no "# fix:" header`);
    for (const f of fixes) {
      if (!(FIX_TITLES as readonly string[]).includes(f)) {
        throw new Error(`${file}: unknown fix title ${JSON.stringify(f)}`);
      }
    }
    const variants: ProgramVariant[] = [];
    for (const v of files.filter((f) => f.startsWith(`${name}.variant-`))) {
      const vsrc = readFileSync(path.join(dir, v), "utf8");
      const [expect] = headerValues(vsrc, "expect");
      const [description] = headerValues(vsrc, "variant");
      if (expect !== "ok" && expect !== "fail") {
        throw new Error(`${v}: "# expect:" must be ok or fail`);
      }
      variants.push({ file: v, path: path.join(dir, v), description: description ?? "", expect });
    }
    const stillReported = headerValues(src, "still reported").map((v) => v.split(/\s/)[0]);
    cases.push({ name, broken, fixed: path.join(dir, fixedFile), hazards, fixes, stillReported, variants });
  }
  return cases;
}

/** True when the run exited 0 and its last non-empty stdout line is `OK`. */
export function succeeded(r: RunResult): boolean {
  const lines = r.stdout.split(/\r?\n/).filter((l) => l.trim() !== "");
  return !r.timedOut && r.code === 0 && lines[lines.length - 1]?.trim() === "OK";
}

/** One line describing a run, for assertion messages and reports. */
export function describeRun(r: RunResult): string {
  const how = r.timedOut
    ? "timed out"
    : r.signal
      ? `killed by ${r.signal}`
      : `exit ${r.code}`;
  const tail = (s: string) => s.trim().split(/\r?\n/).slice(-6).join("\n    ");
  return `${how} after ${r.durationMs} ms\n  stdout: ${tail(r.stdout)}\n  stderr: ${tail(r.stderr)}`;
}
