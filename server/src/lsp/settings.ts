// VS Code's `grpcForkGuard.*` settings (resource-scoped, so one set per folder) → a configuration
// layer that overrides pyproject.toml. Invalid values are reported and skipped, never fatal.
import { DEFAULT_BUDGET } from '../engine/budgets';
import type { ConfigLayer, Platform, SeveritySetting } from '../engine/config';
import { parsePythonVersion } from '../engine/config';
import type { RuleCode } from '../engine/findings';
import { RULE_CODES, isRuleCode } from '../engine/rules/registry';
import { checkExcludePatterns } from '../workspace/pythonFiles';

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
  problems: string[];
}

export const DEFAULT_DEBOUNCE_MS = 150;

export function readClientSettings(raw: ClientSettings | null | undefined): ServerSettings {
  const settings = raw ?? {};
  const layer: ConfigLayer = {};
  const problems: string[] = [];
  const codes = (key: 'select' | 'ignore') => {
    const value = settings[key];
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) return problems.push(`grpcForkGuard.${key} must be a list of rule codes`);
    const list: RuleCode[] = [];
    for (const item of value) {
      const matching = RULE_CODES.filter((code) => typeof item === 'string' && item.length >= 2 && code.startsWith(item.toUpperCase()));
      if (matching.length === 0) problems.push(`grpcForkGuard.${key}: unknown rule code "${item}"`);
      list.push(...matching);
    }
    layer[key] = list;
  };
  codes('select');
  codes('ignore');
  if (settings.severity && typeof settings.severity === 'object') {
    const severity: Partial<Record<RuleCode, SeveritySetting>> = {};
    for (const [code, level] of Object.entries(settings.severity as Record<string, unknown>)) {
      if (!isRuleCode(code)) problems.push(`grpcForkGuard.severity: unknown rule code "${code}"`);
      else if (!['error', 'warning', 'information', 'hint', 'off'].includes(String(level))) problems.push(`grpcForkGuard.severity.${code}: unknown severity "${level}"`);
      else severity[code] = level as SeveritySetting;
    }
    layer.severity = severity;
  }
  if (Array.isArray(settings.exclude)) {
    const checked = checkExcludePatterns(settings.exclude.filter((e): e is string => typeof e === 'string'));
    for (const problem of checked.problems) problems.push(`grpcForkGuard.exclude: ${problem}`);
    layer.exclude = checked.valid;
  }
  if (typeof settings.targetPython === 'string') {
    const version = parsePythonVersion(settings.targetPython);
    if (version) layer.targetPython = version;
    else problems.push(`grpcForkGuard.targetPython: "${settings.targetPython}" is not a version such as 3.12`);
  }
  if (typeof settings.targetPlatform === 'string') {
    if (['linux', 'darwin', 'win32'].includes(settings.targetPlatform)) layer.targetPlatform = settings.targetPlatform as Platform;
    else problems.push(`grpcForkGuard.targetPlatform: unknown platform "${settings.targetPlatform}"`);
  }
  if (Array.isArray(settings.channelFactories)) layer.channelFactories = settings.channelFactories.filter((e): e is string => typeof e === 'string');
  if (typeof settings.assumeForkSupport === 'boolean') layer.assumeForkSupport = settings.assumeForkSupport;
  if (typeof settings.unsafeFixes === 'boolean') layer.unsafeFixes = settings.unsafeFixes;
  const debounceMs = typeof settings.debounceMs === 'number' && settings.debounceMs >= 0 ? settings.debounceMs : DEFAULT_DEBOUNCE_MS;
  let maxFileBytes = DEFAULT_BUDGET.maxFileBytes;
  if (typeof settings.maxFileSize === 'number' && settings.maxFileSize > 0) maxFileBytes = Math.round(settings.maxFileSize * 1024 * 1024);
  else if (settings.maxFileSize !== undefined && settings.maxFileSize !== null) problems.push('grpcForkGuard.maxFileSize must be a number of megabytes above 0');
  return { enable: settings.enable !== false, layer, debounceMs, scanOnStartup: settings.scanOnStartup === true, maxFileBytes, problems };
}
