// Tells the output channel where each project's configuration comes from (its pyproject.toml,
// the editor's settings, or the defaults): once per project, and again whenever that changes.
import type { ConfigLayer } from '../engine/config';
import type { ResolvedConfig } from '../workspace/projectAnalysis';
import { SETTINGS_SECTION } from '../../../shared/protocol';
import type { Logger } from './logger';

export class ConfigurationLog {
  private readonly logged = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  note(resolved: Pick<ResolvedConfig, 'projectRoot' | 'pyproject'>, editorLayer: ConfigLayer): void {
    const source = describeSource(resolved, editorLayer);
    if (this.logged.get(resolved.projectRoot) === source) return;
    this.logged.set(resolved.projectRoot, source);
    this.logger.info(`Configuration of ${resolved.projectRoot}: ${source}`);
  }
}

export function describeSource(resolved: Pick<ResolvedConfig, 'pyproject'>, editorLayer: ConfigLayer): string {
  const settings = Object.entries(editorLayer).filter(([, value]) => value !== undefined).map(([key]) => `${SETTINGS_SECTION}.${key}`);
  const parts = [
    resolved.pyproject ? `[tool.grpc-fork-guard] of ${resolved.pyproject}` : '',
    settings.length ? `settings ${settings.join(', ')}${resolved.pyproject ? ' over it' : ''}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'defaults (no [tool.grpc-fork-guard] in a pyproject.toml, no settings)';
}
