// Which file on disk a URI from the client names, if the server may read it. Only plain `file:`
// URIs with an absolute path and no `.`/`..` segments qualify: `file:///ws/../../etc/passwd` or a
// `https:` URI whose path happens to exist locally must not make the server read (and report on)
// files outside what the client opened. Such documents are still analysed, from their text alone.
import * as path from 'path';
import { URI } from 'vscode-uri';

export function diskPathOf(uri: string): string | undefined {
  let parsed: URI;
  try {
    parsed = URI.parse(uri, true);
  } catch {
    return undefined;
  }
  // An authority means a network share (file://host/share): reading it reaches another machine.
  if (parsed.scheme !== 'file' || parsed.authority !== '') return undefined;
  if (!parsed.path.startsWith('/') || parsed.path.includes('\0')) return undefined;
  if (parsed.path.split(/[\\/]/).some((segment) => segment === '..' || segment === '.')) return undefined;
  const fsPath = parsed.fsPath;
  return path.isAbsolute(fsPath) ? fsPath : undefined;
}

/** The path the engine is given for a document it analyses from its text alone (nothing reads it). */
export function labelPathOf(uri: string): string {
  let parsed: URI | undefined;
  try {
    parsed = URI.parse(uri);
  } catch {
    parsed = undefined;
  }
  const name = path.posix.basename(parsed?.path ?? '').replace(/[\0\\]/g, '') || 'document.py';
  return `/${(parsed?.scheme || 'untitled').replace(/[^A-Za-z0-9+.-]/g, '')}/${name === '..' || name === '.' ? 'document.py' : name}`;
}
