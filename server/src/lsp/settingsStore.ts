// The one store of the client's settings. Each document's settings are asked for once (VS Code's
// `grpcForkGuard.*` settings are resource-scoped: a folder's .vscode/settings.json, a language
// override) and kept until workspace/didChangeConfiguration. Everything that analyses receives a
// ServerSettings value from here as an argument; nothing reads settings from a shared field.
import { URI } from 'vscode-uri';
import { ClientSettings, ServerSettings, readClientSettings } from './settings';

/** Asks the client for the raw `grpcForkGuard` section of a scope (a document or folder URI; none: the window). */
export type SettingsSource = (scopeUri: string | undefined) => Promise<unknown>;

export class SettingsStore {
  private readonly byScope = new Map<string, Promise<ServerSettings>>();

  constructor(
    private readonly source: SettingsSource,
    /** Called once for each scope's settings as they arrive (problems, logging). */
    private readonly onRead: (scopeUri: string | undefined, settings: ServerSettings) => void,
  ) {}

  /** The settings of a document. */
  forDocument(uri: string): Promise<ServerSettings> {
    return this.read(uri);
  }

  /** The settings of a workspace folder (the workspace scan's roots). */
  forFolder(folderPath: string): Promise<ServerSettings> {
    return this.read(URI.file(folderPath).toString());
  }

  /** The window's settings (no resource): where the log level lives. */
  forWindow(): Promise<ServerSettings> {
    return this.read(undefined);
  }

  /** The client's settings changed: everything is asked for again. */
  clear(): void {
    this.byScope.clear();
  }

  private read(scopeUri: string | undefined): Promise<ServerSettings> {
    const key = scopeUri ?? '';
    let cached = this.byScope.get(key);
    if (!cached) {
      // A client that fails to answer gets the defaults, never a stuck analysis.
      cached = this.source(scopeUri).then((raw) => readClientSettings(typeof raw === 'object' ? raw as ClientSettings | null : undefined), () => readClientSettings(undefined));
      void cached.then((settings) => this.onRead(scopeUri, settings));
      this.byScope.set(key, cached);
    }
    return cached;
  }
}
