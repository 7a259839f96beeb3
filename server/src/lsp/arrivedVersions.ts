// What the client has sent about each document, as soon as it arrives: the connection handles
// messages one at a time, so an edit can be waiting in its queue while the server is about to
// analyse (or fix) an older version. Work on a superseded version is skipped: analysing every
// version of a large file in turn would never catch up with typing.
import type { Message } from 'vscode-languageserver';

type Latest = number | 'closed';

export class ArrivedVersions {
  private readonly latest = new Map<string, Latest>();

  observe(message: Message): void {
    const { method, params } = message as { method?: unknown; params?: { textDocument?: { uri?: unknown; version?: unknown } } };
    const document = typeof params === 'object' && params !== null ? params.textDocument : undefined;
    if (typeof document?.uri !== 'string') return;
    if (method === 'textDocument/didClose') this.latest.set(document.uri, 'closed');
    else if ((method === 'textDocument/didOpen' || method === 'textDocument/didChange') && typeof document.version === 'number') this.latest.set(document.uri, document.version);
  }

  /** True when a newer version of the document, or its close, has arrived. */
  supersedes(uri: string, version: number): boolean {
    const latest = this.latest.get(uri);
    return latest !== undefined && latest !== version;
  }

  forget(uri: string): void {
    if (this.latest.get(uri) === 'closed') this.latest.delete(uri);
  }
}
