// A fix can edit a file other than the one it was found in (gunicorn's `post_fork` goes into the
// configuration file), computed against that file's text when the finding was made. When that
// file's open text changes, those findings are stale: their documents are analysed again, so the
// edits a code action carries always fit the text the editor holds.
import type { Finding } from '../engine/findings';

/** The documents (of `snapshots`, by URI) holding a fix that edits `filePath`. */
export function documentsWithFixesIn(filePath: string, snapshots: Iterable<[string, { findings: Finding[] }]>): string[] {
  const uris: string[] = [];
  for (const [uri, { findings }] of snapshots) {
    if (findings.some((finding) => finding.fixes.some((fix) => fix.otherFiles?.some((other) => other.path === filePath)))) uris.push(uri);
  }
  return uris;
}
