// What the program does to the process environment and to the set of loaded modules: writes of
// `GRPC_*` variables (item assignment, `setdefault`, `update`, `putenv`) and `import` statements,
// recorded in execution order for the GF3xx rules (grpcEnvironment.ts answers their questions).
import type { Site } from './timeline';
import type { TimelineRecorder } from './timelineRecorder';
import { CallArgs, UNKNOWN, Value, stringOf } from './values';
import type { WalkContext } from './walker/frame';
import type { WalkState } from './walkState';

type Context = WalkContext<WalkState>;

export class EnvironmentEffects {
  constructor(private readonly recorder: TimelineRecorder) {}

  importing(module: string, site: Site, ctx: Context): void {
    if (!ctx.path.live) return;
    this.recorder.push({ kind: 'import', module, site, chain: ctx.frame.chain, inChild: ctx.frame.child !== undefined });
  }

  /** `os.environ["GRPC_..."] = "..."`. */
  assignSubscript(container: Value, key: Value, value: Value, site: Site, ctx: Context): void {
    if (container.kind !== 'qualified' || container.qname !== 'os.environ') return;
    const variable = stringOf(key);
    if (variable) this.write(variable, stringOf(value), site, 'item assignment', ctx);
  }

  callQualified(qname: string, site: Site, args: CallArgs, ctx: Context): Value | undefined {
    if (qname === 'os.environ.setdefault' || qname === 'os.putenv') {
      const variable = stringOf(args.positional[0]);
      if (variable) this.write(variable, stringOf(args.positional[1]), site, qname === 'os.putenv' ? 'os.putenv' : 'setdefault', ctx);
      return UNKNOWN;
    }
    if (qname === 'os.environ.update') {
      const mapping = args.positional[0];
      if (mapping?.kind === 'dict') {
        for (const entry of mapping.entries) {
          const variable = stringOf(entry.key);
          if (variable) this.write(variable, stringOf(entry.value), site, 'update', ctx);
        }
      }
      for (const [variable, value] of args.keywords) this.write(variable, stringOf(value), site, 'update', ctx);
      return UNKNOWN;
    }
    return undefined;
  }

  private write(variable: string, value: string | undefined, site: Site, how: string, ctx: Context): void {
    this.recorder.push({ kind: 'envWrite', variable, value, site, how, chain: ctx.frame.chain, inChild: ctx.frame.child !== undefined });
  }
}
