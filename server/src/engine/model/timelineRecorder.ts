// Writes the timeline (timeline.ts) as the walk goes: events in execution order, the gRPC objects
// and fork sites they refer to, and the calls with qualified names that GF104 looks for.
import type { GrpcObjectKind } from './apiCatalog';
import type { ForkSite, GrpcObject, ProgramEvent, Site, Timeline } from './timeline';
import type { ChildContext } from './values';
import type { WalkState } from './walkState';

export class TimelineRecorder {
  readonly timeline: Timeline = { events: [], objects: [], forks: [], qualifiedUses: [] };
  private nextId = 1;

  /** Ids grow with time: an object made after `marker()` has a larger id. */
  marker(): number {
    return this.nextId;
  }

  push(event: ProgramEvent): void {
    this.timeline.events.push(event);
  }

  createObject(kind: GrpcObjectKind, site: Site, chain: Site[], child: ChildContext | undefined, state: WalkState, base?: GrpcObject): GrpcObject {
    const object: GrpcObject = {
      id: this.nextId++, kind, label: callLabelOf(site.node), creation: site, chain, base,
      createdInChild: child?.fork, usedInParent: false, closed: false, started: false,
    };
    this.timeline.objects.push(object);
    state.alive.add(object);
    this.push({ kind: 'create', object });
    return object;
  }

  recordFork(api: string, product: ForkSite['product'], site: Site, origin: Site, chain: Site[], child: ChildContext | undefined, state: WalkState): ForkSite {
    const fork: ForkSite = {
      id: this.nextId++, site, origin, api, product, chain, inChild: child !== undefined, entryFunctions: [], opaqueEntry: false,
    };
    this.timeline.forks.push(fork);
    this.push({ kind: 'fork', fork, alive: [...state.alive] });
    return fork;
  }

  qualifiedUse(qname: string, site: Site, decorator: boolean): void {
    this.timeline.qualifiedUses.push({ qname, site, decorator });
  }
}

function callLabelOf(node: Site['node']): string {
  const callee = node.childForFieldName('function');
  return `${callee ? callee.text : node.text}(...)`;
}
