// A configuration layer from one source's values (pyproject.toml's table or VS Code's settings),
// read by the settings table: the same kinds, checks and messages for both sources.
import type { ConfigLayer } from './config';
import { readSettingValue } from './settingValues';
import { SettingDefinition } from './settingsTable';

export interface LayerProblem {
  /** The source's own name of the setting, with the sub-key if any ("severity.GF101"). */
  key: string;
  message: string;
}

/**
 * Reads each setting that `nameOf` names in this source and that feeds the engine configuration.
 * An absent or null value is unset: the next layer down applies.
 */
export function readLayer(values: Record<string, unknown>, settings: readonly SettingDefinition[], nameOf: (setting: SettingDefinition) => string | undefined): { layer: ConfigLayer; problems: LayerProblem[] } {
  const layer: Record<string, unknown> = {};
  const problems: LayerProblem[] = [];
  for (const setting of settings) {
    const name = nameOf(setting);
    if (name === undefined || !setting.config) continue;
    const raw = values[name];
    if (raw === undefined || raw === null) continue;
    const read = readSettingValue(setting.value, raw);
    for (const p of read.problems) problems.push({ key: p.subKey ? `${name}.${p.subKey}` : name, message: p.message });
    if (read.value !== undefined) layer[setting.config] = read.value;
  }
  return { layer: layer as ConfigLayer, problems };
}
