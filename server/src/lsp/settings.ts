// VS Code's `grpcForkGuard.*` settings (resource-scoped, so one set per folder) → a configuration
// layer that overrides pyproject.toml. Invalid values are reported and skipped, never fatal.
import { DEFAULT_BUDGET } from '../engine/budgets';
import type { ConfigLayer } from '../engine/config';
import { readLayer } from '../engine/settingsLayer';
import { editorSettings } from '../engine/settingsTable';
import { checkExcludePatterns } from '../workspace/pythonFiles';
import { LOG_LEVELS, LogLevel } from '../../../shared/protocol';

export interface ClientSettings {
  enable?: boolean;
  select?: unknown;
  ignore?: unknown;
  severity?: unknown;
  exclude?: unknown;
  targetPython?: unknown;
  targetPlatform?: unknown;
  channelFactories?: unknown;
  assumeForkSupport?: unknown;
  unsafeFixes?: unknown;
  logLevel?: unknown;
  /** Milliseconds between the last keystroke and re-analysis. */
  debounceMs?: unknown;
  scanOnStartup?: unknown;
  /** Largest file analysed, in megabytes. */
  maxFileSize?: unknown;
}

export interface ServerSettings {
  enable: boolean;
  layer: ConfigLayer;
  debounceMs: number;
  /** Scan the workspace when the server starts. */
  scanOnStartup: boolean;
  /** Larger documents get one notice instead of a parse (the CLI skips them too). */
  maxFileBytes: number;
  /** Window-scoped: the output channel's level, when the client sets one. */
  logLevel?: LogLevel;
  problems: string[];
}

export const DEFAULT_DEBOUNCE_MS = 150;

export function readClientSettings(raw: ClientSettings | null | undefined): ServerSettings {
  const settings = raw ?? {};
  // The keys pyproject.toml also has are read by the settings table, as pyproject.toml's are.
  const read = readLayer(settings as Record<string, unknown>, editorSettings(), (setting) => setting.editor?.name);
  const layer: ConfigLayer = read.layer;
  const problems = read.problems.map((p) => `grpcForkGuard.${p.key}: ${p.message}`);
  if (layer.exclude) {
    const checked = checkExcludePatterns(layer.exclude);
    for (const problem of checked.problems) problems.push(`grpcForkGuard.exclude: ${problem}`);
    layer.exclude = checked.valid;
  }
  const debounceMs = typeof settings.debounceMs === 'number' && settings.debounceMs >= 0 ? settings.debounceMs : DEFAULT_DEBOUNCE_MS;
  let maxFileBytes = DEFAULT_BUDGET.maxFileBytes;
  if (typeof settings.maxFileSize === 'number' && settings.maxFileSize > 0) maxFileBytes = Math.round(settings.maxFileSize * 1024 * 1024);
  else if (settings.maxFileSize !== undefined && settings.maxFileSize !== null) problems.push('grpcForkGuard.maxFileSize must be a number of megabytes above 0');
  let logLevel: LogLevel | undefined;
  if ((LOG_LEVELS as unknown[]).includes(settings.logLevel)) logLevel = settings.logLevel as LogLevel;
  else if (settings.logLevel !== undefined && settings.logLevel !== null) problems.push(`grpcForkGuard.logLevel: unknown level "${settings.logLevel}" (${LOG_LEVELS.join(', ')})`);
  return { enable: settings.enable !== false, layer, debounceMs, scanOnStartup: settings.scanOnStartup === true, maxFileBytes, logLevel, problems };
}
