// Code the program hands to a library to run later, in this process, while what is alive now is
// still alive: a `callback=` (Pub/Sub's `subscribe(..., callback=on_message)`), and the handlers
// of a servicer registered on a server (`add_GreeterServicer_to_server(Greeter(), server)`),
// which run once the server has started. A fork inside them inherits everything alive then.
import { field } from './syntax';
import type { GrpcObject, Site } from './timeline';
import { CallArgs, Value, grpcObjectOf } from './values';
import type { WalkState } from './walkState';
import { Path, WalkContext, emptyArgs } from './walker/frame';
import { lookupClassAttribute } from './walker/expressions';
import type { Interpreter } from './walker/interpreter';

type Context = WalkContext<WalkState>;

export class LibraryCallbacks {
  interpreter!: Interpreter<WalkState>;
  private readonly servicers = new Map<GrpcObject, Extract<Value, { kind: 'instance' }>[]>();

  afterCall(callee: Value, args: CallArgs, site: Site, ctx: Context): void {
    if (!ctx.path.live || ctx.frame.child) return;
    const calleeName = field(site.node, 'function')?.text ?? '';
    if (/(^|\.)add_\w+Servicer_to_server$/.test(calleeName)) {
      const [servicer, server] = args.positional;
      const object = grpcObjectOf(server);
      if (servicer?.kind === 'instance' && object) this.servicers.set(object, [...(this.servicers.get(object) ?? []), servicer]);
      return;
    }
    if (callee.kind === 'grpcMember' && callee.member === 'start' && this.servicers.has(callee.object)) {
      for (const servicer of this.servicers.get(callee.object)!) this.runHandlers(servicer, site, ctx);
      return;
    }
    if (callee.kind === 'function' || callee.kind === 'class') return;
    const callback = args.keywords.get('callback');
    if (callback?.kind === 'function' || callback?.kind === 'partial') this.runLater(callback, site, ctx);
  }

  /** Each public method of the servicer, as gRPC would call it for a request. */
  private runHandlers(servicer: Extract<Value, { kind: 'instance' }>, site: Site, ctx: Context): void {
    const body = field(servicer.cls.def, 'body');
    for (const statement of body ? body.namedChildren : []) {
      const definition = statement?.type === 'decorated_definition' ? field(statement, 'definition') : statement;
      const name = definition?.type === 'function_definition' ? field(definition, 'name')?.text ?? '' : '';
      if (!name || name.startsWith('_')) continue;
      const method = lookupClassAttribute(servicer.cls, name);
      if (method?.kind === 'function') this.runLater({ ...method, self: servicer }, site, ctx);
    }
  }

  private runLater(fn: Value, site: Site, ctx: Context): void {
    const path: Path<WalkState> = { state: this.interpreter.domain.clone(ctx.path.state), live: true };
    this.interpreter.calls.callValue(fn, emptyArgs(), ctx.frame, path, site);
  }
}
