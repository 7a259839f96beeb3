// Where to put a diagnostic about an object created along one call chain and a fork reached
// along another: in the innermost frame both chains share. A channel made inside `main()` and a
// Pool made inside `main()` are reported at the channel call; a channel made by `make_client()`
// at module level is reported at the `make_client()` call the user can see beside the fork.
import type { GrpcObject, ForkSite, Site } from './timeline';
import { sameNode } from './syntax';

export function sameSite(a: Site, b: Site): boolean {
  return a.path === b.path && sameNode(a.node, b.node);
}

export function anchorBetween(path: Site[], other: Site[]): Site {
  let shared = 0;
  while (shared < path.length - 1 && shared < other.length && sameSite(path[shared], other[shared])) shared++;
  return path[shared];
}

export function objectAnchor(object: GrpcObject, fork: ForkSite): Site {
  return anchorBetween([...object.chain, object.creation], [...fork.chain, fork.site]);
}
