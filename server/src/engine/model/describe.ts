// Wording shared by messages: how a fork site or another place is named from the analysed file.
import * as path from 'path';
import { callLabel } from './sourceFile';
import type { ForkSite, Site } from './timeline';

export function placeName(site: Site, fromPath: string): string {
  const line = site.node.startPosition.row + 1;
  return site.path === fromPath ? `line ${line}` : `${path.basename(site.path)}:${line}`;
}

export function forkName(fork: ForkSite, fromPath: string): string {
  return `the fork at ${placeName(fork.site, fromPath)} (\`${callLabel(fork.site.node)}\`)`;
}
