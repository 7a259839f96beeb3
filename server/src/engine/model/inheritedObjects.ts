// Which gRPC objects are alive in the parent at each fork: the shared question behind GF101,
// GF103 and GF201. Each object is reported once, at the first fork that inherits it.
import type { GrpcObjectKind } from './apiCatalog';
import { objectAnchor, sameSite } from './anchors';
import { createdHere, forksHere } from './describe';
import type { ForkSite, GrpcObject, Site, Timeline } from './timeline';

export interface InheritedObject {
  object: GrpcObject;
  fork: ForkSite;
  /** Where the object enters the frame that also holds the fork (see anchors.ts). */
  anchor: Site;
}

// A wrapper is reported before the channel inside it, a channel before the stubs built on it.
const REPORT_ORDER: GrpcObjectKind[] = ['client', 'channel', 'aioChannel', 'stub', 'server', 'aioServer'];

export function objectsAliveAtForks(timeline: Timeline, kinds: readonly GrpcObjectKind[]): InheritedObject[] {
  const found: InheritedObject[] = [];
  const reported = new Set<number>();
  for (const event of timeline.events) {
    if (event.kind !== 'fork') continue;
    const alive = event.alive
      .filter((object) => kinds.includes(object.kind))
      .sort((a, b) => REPORT_ORDER.indexOf(a.kind) - REPORT_ORDER.indexOf(b.kind));
    for (const object of alive) {
      if (reported.has(object.id)) continue;
      // A stub is covered by the report on its channel when that channel is reported too.
      if (object.base && alive.includes(object.base) && object.kind !== 'client') continue;
      const anchor = objectAnchor(object, event.fork);
      reported.add(object.id);
      if (object.base) reported.add(object.base.id);
      if (found.some((f) => sameSite(f.anchor, anchor))) continue;
      found.push({ object, fork: event.fork, anchor });
    }
  }
  return found;
}

/** Related information for an inherited object: the fork, and the creating call when it is not the anchor. */
export function inheritanceRelated({ object, fork, anchor }: InheritedObject): { site: Site; message: string }[] {
  const related = [{ site: fork.site, message: forksHere(fork) }];
  const noun = object.kind === 'server' || object.kind === 'aioServer' ? 'server' : 'channel';
  if (anchor.node !== object.creation.node) related.push({ site: object.creation, message: createdHere(noun) });
  return related;
}
