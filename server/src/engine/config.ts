// The engine's configuration (SPEC §4): defaults here, merging of layers here; reading
// pyproject.toml and VS Code settings happens in the layers that own those sources. The defaults
// are the settings table's (test/engine/settingsSchema.test.ts holds them equal).
import { RuleCode, Severity } from './findings';
import { DEFAULT_EXCLUDE, DEFAULT_TARGET_PYTHON } from './settingsTable';

export type Platform = 'linux' | 'darwin' | 'win32';
export type SeveritySetting = Severity | 'off';
/**
 * The import-position rule (E402) of the project's linter, found from its configuration files
 * (not a setting): `pycodestyle` (flake8) or `ruff`. Fixes that write between imports follow it.
 */
export type ImportLint = 'pycodestyle' | 'ruff';

export interface EngineConfig {
  /** The codes to report, or all the registry's (rules/registry.ts). */
  select: RuleCode[] | 'all';
  ignore: RuleCode[];
  severity: Partial<Record<RuleCode, SeveritySetting>>;
  exclude: string[];
  /** [major, minor] of the lowest Python version the code targets. */
  targetPython: [number, number];
  targetPlatform: Platform;
  channelFactories: string[];
  assumeForkSupport: boolean;
  unsafeFixes: boolean;
  importLint: ImportLint;
}

export { DEFAULT_EXCLUDE };

export function defaultConfig(): EngineConfig {
  return {
    select: 'all',
    ignore: [],
    severity: {},
    exclude: [...DEFAULT_EXCLUDE],
    targetPython: parsePythonVersion(DEFAULT_TARGET_PYTHON)!,
    targetPlatform: 'linux',
    channelFactories: [],
    assumeForkSupport: false,
    unsafeFixes: false,
    importLint: 'pycodestyle',
  };
}

/** A configuration layer: every key optional; later layers override earlier ones key by key. */
export type ConfigLayer = Partial<EngineConfig>;

export function mergeConfig(...layers: ConfigLayer[]): EngineConfig {
  const merged = defaultConfig();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined && value !== null) (merged as any)[key] = value;
    }
  }
  return merged;
}

export function isRuleEnabled(config: EngineConfig, code: RuleCode): boolean {
  return (config.select === 'all' || config.select.includes(code)) && !config.ignore.includes(code) && config.severity[code] !== 'off';
}

export function parsePythonVersion(text: string): [number, number] | undefined {
  const match = /^\s*(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
