// Turns the probe's events into findings with the rule codes of `check`: a channel or server alive
// at a fork (GF101, GF103, GF201), an inherited one used in the child (GF102), and the hazards the
// probe saw directly (GF203, GF204, GF301, GF302, GF303). Pure: files are read through `sourceOf`.
import type { Finding, Range, RelatedLocation, RuleCode, Severity } from '../engine/findings';
import { ruleByCode } from '../engine/rules/registry';
import type { BindEvent, ForkEvent, HazardEvent, ProbeEvent, ProbeFrame, ProbeObject, ProbeStack, UseEvent } from './probeEvents';

export interface RuntimeFinding {
  /** Absolute path of the file holding the range. */
  path: string;
  finding: Finding;
  /**
   * Other lines (0-based) the static analysis may put the same finding on: the creation of a server
   * reported at its start(), the stub that wraps a channel.
   */
  aliases?: { path: string; line: number }[];
}

/** The lines of a file, or undefined when it cannot be read. */
export type SourceLines = (path: string) => string[] | undefined;

export interface RunSummary {
  processes: number;
  forks: number;
  objects: number;
}

export function summarizeRun(events: ProbeEvent[]): RunSummary {
  const pids = new Set(events.map((e) => e.pid));
  const forks = events.filter((e): e is ForkEvent => e.event === 'fork');
  for (const e of events) if (e.event === 'use') pids.add(e.ppid);
  const objects = new Set(forks.flatMap((f) => f.alive.map((o) => o.id)));
  return { processes: pids.size, forks: forks.length, objects: objects.size };
}

/**
 * `workspace`: the folder whose code the user is looking at; a stack is placed at its innermost frame
 * there (the call into a library made outside it), else at the innermost frame of user code.
 */
export function runtimeFindings(events: ProbeEvent[], sourceOf: SourceLines, workspace?: string): RuntimeFinding[] {
  const place = placer(sourceOf);
  const userFrame = (stack: ProbeStack) => placeFrame(stack, workspace);
  const findings = new Map<string, RuntimeFinding & { forks: Set<string> }>();
  const add = (key: string, fork: string | undefined, make: () => RuntimeFinding | undefined) => {
    const existing = findings.get(key);
    if (existing) {
      if (fork) existing.forks.add(fork);
      return;
    }
    const made = make();
    if (made) findings.set(key, { ...made, forks: new Set(fork ? [fork] : []) });
  };
  const forks = events.filter((e): e is ForkEvent => e.event === 'fork');
  const forkById = new Map(forks.map((f) => [f.id, f]));
  const objectById = new Map<string, ProbeObject>();
  for (const fork of forks) for (const object of fork.alive) objectById.set(object.id, object);
  const uses = events.filter((e): e is UseEvent => e.event === 'use');

  for (const fork of forks) {
    const forkFrame = userFrame(fork.stack);
    if (!forkFrame) continue;
    for (const object of fork.alive) {
      const code = aliveCode(object, fork);
      if (!code) continue;
      const made = userFrame(object.stack);
      const started = object.started ? userFrame(object.started) : undefined;
      const at = started ?? made;
      if (!at || !made) continue;
      add(`${code}|${frameKey(at)}|${frameKey(forkFrame)}`, fork.id, () => {
        const related: RelatedLocation[] = [place.related(forkFrame, `the fork (${fork.method}) seen at run time`)];
        if (started) related.push(place.related(made, `the server is created here`));
        const innermost = placeFrame(object.stack);
        if (innermost && innermost !== made) related.push(place.related(innermost, `the call that made it, outside the workspace`));
        const use = uses.find((u) => u.record === object.id && u.fork === fork.id);
        const useFrame = use && userFrame(use.stack);
        if (useFrame) related.push(place.related(useFrame, `the child (pid ${use.pid}) uses it here`));
        const what = `${describeKind(object.kind)} \`${place.text(at) ?? `${object.api}(...)`}\``;
        const forkText = `the fork at ${place.where(forkFrame, at)} (\`${place.text(forkFrame) ?? fork.method}\`)`;
        const message = code === 'GF201'
          ? `${what} is ${started ? 'started' : 'created'} before ${forkText}; fork first, then start one server per child.`
          : code === 'GF103'
            ? `${what} is alive at ${forkText}; fork support does not cover grpc.aio, so create it in the child.`
            : `${what} is alive at ${forkText}; the child inherits its threads and sockets.`;
        const aliases = [made, ...userFrames(object.wrapped ?? [])].map((f) => ({ path: f.file, line: f.line - 1 }));
        return { path: at.file, finding: finding(code, message, place.range(at), related), aliases };
      });
    }
  }

  for (const use of uses) {
    const object = objectById.get(use.record);
    const fork = forkById.get(use.fork);
    const at = userFrame(use.stack);
    const made = object && userFrame(object.stack);
    // A server started in the child is GF201's business (its related information names the use).
    if (!object || !fork || !at || !made || !object.kind.endsWith('channel')) continue;
    const forkFrame = userFrame(fork.stack);
    add(`GF102|${frameKey(at)}|${frameKey(made)}`, fork.id, () => {
      const related = [place.related(made, `created in the parent here`)];
      if (forkFrame) related.push(place.related(forkFrame, `the fork (${fork.method}) seen at run time`));
      const forkText = forkFrame ? ` after the fork at ${place.where(forkFrame, at)}` : ' after a fork';
      const message = `${describeKind(object.kind)} \`${place.text(made) ?? `${object.api}(...)`}\`, created in the parent at ${place.where(made, at)}, is used in the child (pid ${use.pid})${forkText}; a channel does not survive a fork: create it in the child.`;
      return { path: at.file, finding: finding('GF102', message, place.range(at), related), aliases: [] };
    });
  }

  // GF202: children of one fork site binding one fixed address, without SO_REUSEPORT on.
  const binds = new Map<string, BindEvent[]>();
  for (const bind of events.filter((e): e is BindEvent => e.event === 'bind')) {
    const fork = forkById.get(bind.fork);
    const forkFrame = fork && userFrame(fork.stack);
    if (!forkFrame || /:0$/.test(bind.address) || bind.reuseport === 1) continue;
    const key = `${frameKey(forkFrame)}|${bind.address}`;
    binds.set(key, [...(binds.get(key) ?? []), bind]);
  }
  for (const group of binds.values()) {
    const children = new Set(group.map((b) => b.pid));
    const at = userFrame(group[0].stack);
    const fork = forkById.get(group[0].fork)!;
    const forkFrame = userFrame(fork.stack)!;
    if (children.size < 2 || !at) continue;
    const disabled = group.some((b) => b.reuseport === 0);
    add(`GF202|${frameKey(at)}|${group[0].address}`, undefined, () => {
      const what = `gRPC server \`${place.text(at) ?? 'grpc.server(...)'}\` is bound to \`${group[0].address}\` by ${children.size} children of the fork at ${place.where(forkFrame, at)}`;
      const message = disabled
        ? `${what} and sets \`grpc.so_reuseport\` to 0, so only the first child can bind: add \`("grpc.so_reuseport", 1)\` to its options.`
        : `${what} without \`grpc.so_reuseport\`; gRPC turns it on by default on Linux, but set it to 1 to say the children share the port.`;
      return { path: at.file, finding: finding('GF202', message, place.range(at), [place.related(forkFrame, 'the fork seen at run time')], disabled ? undefined : 'information') };
    });
  }

  for (const hazard of events.filter((e): e is HazardEvent => e.event === 'hazard')) {
    const at = userFrame(hazard.stack);
    if (!at) continue;
    add(`${hazard.code}|${frameKey(at)}|${String(hazard.variable ?? '')}`, undefined, () => hazardFinding(hazard, at, place, userFrame));
  }

  return [...findings.values()].map(({ forks: seen, ...found }) => {
    if (seen.size > 1) found.finding.message = found.finding.message.replace(/;/, ` (${seen.size} forks);`);
    return found;
  });
}

function aliveCode(object: ProbeObject, fork: ForkEvent): RuleCode | undefined {
  switch (object.kind) {
    case 'channel':
      // With fork support on before the import, a channel the parent keeps is gRPC's second recipe (GF102 still applies).
      return fork.forkSupport ? undefined : 'GF101';
    case 'aio-channel':
      return 'GF103';
    default:
      return 'GF201';
  }
}

function hazardFinding(hazard: HazardEvent, at: ProbeFrame, place: Placer, userFrame: (stack: ProbeStack) => ProbeFrame | undefined): RuntimeFinding | undefined {
  const value = typeof hazard.value === 'string' ? hazard.value : null;
  const outside = hazard.writtenByProgram === false ? ' (set in the environment before the program started)' : '';
  const related: RelatedLocation[] = [];
  let message: string;
  let severity: Severity | undefined;
  switch (hazard.code) {
    case 'GF301': {
      const after = userFrame((hazard.after as ProbeStack | undefined) ?? []);
      const fork = hazard.variable === 'GRPC_ENABLE_FORK_SUPPORT';
      if (after) related.push(place.related(after, fork ? 'grpc was imported here' : 'the first gRPC channel or server was made here'));
      const when = after ? ` at ${place.where(after, at)}` : '';
      message = fork
        ? `\`GRPC_ENABLE_FORK_SUPPORT\` is set to \`${value}\` after grpc was imported${when}, which reads it only at import: set it before that import.`
        : `\`GRPC_POLL_STRATEGY\` is set to \`${value}\` after the first gRPC channel or server${when}, which already read it: set it before that.`;
      break;
    }
    case 'GF302': {
      const fork = userFrame((hazard.fork as ProbeStack | undefined) ?? []);
      if (fork) related.push(place.related(fork, 'the fork seen at run time'));
      if (value === null) {
        severity = 'information';
        message = 'Fork support is on but `GRPC_POLL_STRATEGY` is not set; gRPC\'s guidance for forking programs is `poll`.';
      } else {
        message = `\`GRPC_POLL_STRATEGY\` is \`${value}\`${outside}, which selects the \`${String(hazard.engine)}\` engine, but fork support only works with \`epoll1\` or \`poll\`: set it to \`poll\`.`;
      }
      break;
    }
    case 'GF303':
      message = `\`GRPC_POLL_STRATEGY\` is \`${value}\`${outside}, which names no polling engine gRPC knows (\`epoll1\`, \`poll\`, \`none\`), so the interpreter aborts at the first channel: set it to \`poll\`.`;
      break;
    case 'GF203': {
      const extra = Array.isArray(hazard.extra) ? hazard.extra.join(', ') : 'more arguments';
      message = `\`${String(hazard.method)}\` was called with ${extra} besides the address, which raises TypeError: pass server options to \`grpc.server(..., options=[...])\`.`;
      break;
    }
    case 'GF204':
      message = `\`grpc.server\` was given a \`${String(hazard.pool)}\` as its thread pool; gRPC cannot complete RPCs on another process: use \`futures.ThreadPoolExecutor\`.`;
      break;
    default:
      return undefined;
  }
  return { path: at.file, finding: finding(hazard.code, message, place.range(at), related, severity) };
}

function finding(code: RuleCode, message: string, range: Range, related: RelatedLocation[], severity?: Severity): Finding {
  return { code, severity: severity ?? ruleByCode(code)?.defaultSeverity ?? 'warning', message, range, related, fixes: [] };
}

function describeKind(kind: ProbeObject['kind']): string {
  return { channel: 'gRPC channel', 'aio-channel': 'gRPC aio channel', server: 'gRPC server', 'aio-server': 'gRPC aio server' }[kind];
}

/** The innermost frame in the workspace, else in user code, else in a real file. */
export function placeFrame(stack: ProbeStack, workspace?: string): ProbeFrame | undefined {
  const inside = workspace ? `${workspace.replace(/[\\/]+$/, '')}${workspace.includes('\\') ? '\\' : '/'}` : undefined;
  return (inside ? stack.find((f) => f.user && f.file.startsWith(inside)) : undefined) ?? stack.find((f) => f.user) ?? stack.find((f) => !f.file.startsWith('<'));
}

function userFrames(stack: ProbeStack): ProbeFrame[] {
  return stack.filter((f) => f.user);
}

function frameKey(frame: ProbeFrame): string {
  return `${frame.file}:${frame.line}:${frame.column ?? ''}`;
}

interface Placer {
  range(frame: ProbeFrame): Range;
  related(frame: ProbeFrame, message: string): RelatedLocation;
  /** The source text of the frame's call, shortened; undefined when unknown. */
  text(frame: ProbeFrame): string | undefined;
  /** "line N", or "path:N" when the frame is in another file than `from`. */
  where(frame: ProbeFrame, from: ProbeFrame): string;
}

function placer(sourceOf: SourceLines): Placer {
  const cache = new Map<string, string[] | undefined>();
  const lines = (file: string) => {
    if (!cache.has(file)) cache.set(file, sourceOf(file));
    return cache.get(file);
  };
  const range = (frame: ProbeFrame): Range => {
    const line = frame.line - 1;
    const text = lines(frame.file)?.[line];
    if (text === undefined) return { start: { line, character: 0 }, end: { line, character: 0 } };
    if (frame.column !== undefined) {
      const endLine = (frame.endLine ?? frame.line) - 1;
      const endText = lines(frame.file)?.[endLine] ?? text;
      return {
        start: { line, character: utf16Column(text, frame.column) },
        end: { line: endLine, character: utf16Column(endText, frame.endColumn ?? Buffer.byteLength(endText)) },
      };
    }
    // Python before 3.11 gives the line only: the statement's text on it.
    const start = text.length - text.trimStart().length;
    return { start: { line, character: start }, end: { line, character: text.trimEnd().length } };
  };
  return {
    range,
    related: (frame, message) => ({ path: frame.file, range: range(frame), message }),
    text(frame) {
      const r = range(frame);
      const text = lines(frame.file)?.[r.start.line];
      if (text === undefined) return undefined;
      if (r.end.line !== r.start.line) {
        const callee = /^\s*([\w.]+)\(/.exec(text.slice(r.start.character));
        return callee ? `${callee[1]}(...)` : undefined;
      }
      const slice = text.slice(r.start.character, r.end.character);
      const compact = slice.replace(/\s+/g, ' ').trim();
      if (!compact) return undefined;
      const call = /^([\w.]+)\(.+\)$/.exec(compact);
      return call && compact.length > 40 ? `${call[1]}(...)` : compact;
    },
    where(frame, from) {
      return frame.file === from.file ? `line ${frame.line}` : `${frame.file}:${frame.line}`;
    },
  };
}

/** A UTF-8 byte offset into `text` as a UTF-16 column. */
function utf16Column(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8').length;
}
