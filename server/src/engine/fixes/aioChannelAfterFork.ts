// GF103: fork support does not cover grpc.aio, so an aio channel alive at the fork cannot be saved
// by environment settings: it must be made after the fork. When the code after the fork statement
// is where the channel is needed (the parent goes on; a child that continues past the fork makes
// its own too), its binding and what builds on it move just below the statement that forks, the
// way GF201's "Start the server after the forks" moves a server (serverAfterFork.ts).
import type { Fix } from '../findings';
import type { ForkSite, GrpcObject, Site } from '../model/timeline';
import type { EditContext } from './editContext';
import { moveBelowFork } from './serverAfterFork';

export function aioChannelAfterForkFix(edits: EditContext, object: GrpcObject, fork: ForkSite, anchor: Site): Fix | undefined {
  const move = moveBelowFork(edits, object, fork, anchor);
  return move && { title: `Create \`${move.name}\` after the fork (move it below the fork)`, kind: 'createAfterFork', applicability: 'unsafe', edits: move.edits };
}
