// `[tool.grpc-fork-guard]` in pyproject.toml → a configuration layer. The keys and what each takes
// come from the settings table; bad keys or values are reported one by one, naming the file and
// key, and everything else still applies (SPEC §4).
import { parse as parseToml } from 'smol-toml';
import { ConfigLayer } from './config';
import { nearest } from './nearestName';
import { readLayer } from './settingsLayer';
import { pyprojectSettings } from './settingsTable';

export interface ConfigProblem {
  file: string;
  key?: string;
  message: string;
}

export interface ParsedConfigFile {
  layer: ConfigLayer;
  problems: ConfigProblem[];
  /** Whether the file has a [tool.grpc-fork-guard] table at all. */
  hasSection: boolean;
  /** Whether it configures Ruff (`[tool.ruff]`): the project's linter, for fixes that write among imports. */
  ruffSection?: boolean;
}

export const SECTION = 'tool.grpc-fork-guard';

export function parsePyproject(text: string, file: string): ParsedConfigFile {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return { layer: {}, problems: [{ file, message: `invalid TOML: ${tomlErrorText(error)}` }], hasSection: false };
  }
  const layer: ConfigLayer = {};
  const problems: ConfigProblem[] = [];
  const ruffSection = (document.tool as Record<string, unknown> | undefined)?.ruff !== undefined;
  const requires = ((document.project as Record<string, unknown> | undefined)?.['requires-python']);
  if (typeof requires === 'string') {
    const lowest = lowestRequiredPython(requires);
    if (lowest) layer.targetPython = lowest;
  }
  const section = (document.tool as Record<string, unknown> | undefined)?.['grpc-fork-guard'];
  if (section === undefined) return { layer, problems, hasSection: false, ruffSection };
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    return { layer, problems: [{ file, key: SECTION, message: 'must be a table' }], hasSection: true, ruffSection };
  }
  const table = section as Record<string, unknown>;
  const settings = pyprojectSettings();
  const known = settings.map((s) => s.pyproject!);
  for (const key of Object.keys(table).filter((k) => !known.includes(k))) {
    const meant = nearest(key, known);
    problems.push({ file, key: `${SECTION}.${key}`, message: meant ? `unknown key; did you mean \`${meant}\`?` : 'unknown key' });
  }
  const read = readLayer(table, settings, (s) => s.pyproject);
  Object.assign(layer, read.layer);
  for (const p of read.problems) problems.push({ file, key: `${SECTION}.${p.key}`, message: p.message });
  return { layer, problems, hasSection: true, ruffSection };
}

/** smol-toml's first message line, with the line and column it reports. */
function tomlErrorText(error: unknown): string {
  const { message, line, column } = error as { message: string; line?: number; column?: number };
  const first = message.split('\n')[0];
  return typeof line === 'number' && typeof column === 'number' ? `${first} (line ${line}, column ${column})` : first;
}

/** The lowest version a `requires-python` specifier allows: ">=3.10,<4" → 3.10. */
function lowestRequiredPython(specifier: string): [number, number] | undefined {
  let lowest: [number, number] | undefined;
  for (const clause of specifier.split(',')) {
    const match = /^\s*(>=|==|~=|>)\s*(\d+)\.(\d+)/.exec(clause);
    if (!match) continue;
    let version: [number, number] = [Number(match[2]), Number(match[3])];
    if (match[1] === '>') version = [version[0], version[1] + 1];
    if (!lowest || version[0] > lowest[0] || (version[0] === lowest[0] && version[1] > lowest[1])) lowest = version;
  }
  return lowest;
}
