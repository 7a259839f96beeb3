// Wording shared by the rules' messages: how a gRPC object, a fork site or another place is named
// from the analysed file, and the related-information lines several rules attach. A rule's own
// sentence stays in its module; a phrase two rules say goes here.
import * as path from 'path';
import type { GrpcObjectKind } from './apiCatalog';
import { callLabel } from './sourceFile';
import type { ForkSite, GrpcObject, Site } from './timeline';

export function placeName(site: Site, fromPath: string): string {
  const line = site.node.startPosition.row + 1;
  return site.path === fromPath ? `line ${line}` : `${path.basename(site.path)}:${line}`;
}

export function forkName(fork: ForkSite, fromPath: string): string {
  return `the fork at ${placeName(fork.site, fromPath)} (\`${callLabel(fork.site.node)}\`)`;
}

const NOUNS: Record<GrpcObjectKind, string> = {
  channel: 'gRPC channel',
  aioChannel: 'gRPC aio channel',
  stub: 'gRPC stub',
  client: 'gRPC client',
  server: 'gRPC server',
  aioServer: 'gRPC aio server',
};

export function describeObject(object: GrpcObject): string {
  return `${NOUNS[object.kind]} \`${object.label}\``;
}

/** Related information at a fork; `detail` follows after a semicolon. */
export function forksHere(fork: ForkSite, detail?: string): string {
  return `The process forks here (\`${fork.api}\`)${detail ? `; ${detail}` : ''}.`;
}

/** Related information at the call that made an object; `detail` follows after a comma. */
export function createdHere(noun: string, detail?: string): string {
  return `The ${noun} is created here${detail ? `, ${detail}` : ''}.`;
}
