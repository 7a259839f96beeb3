// `[tool.grpc-fork-guard]` in pyproject.toml → a configuration layer. Bad keys or values are
// reported one by one, naming the file and key, and everything else still applies (SPEC §4).
import { parse as parseToml } from 'smol-toml';
import { ConfigLayer, Platform, SeveritySetting, parsePythonVersion } from './config';
import type { RuleCode } from './findings';
import { RULE_CODES, isRuleCode } from './rules/registry';

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
}

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];
const PLATFORMS = ['linux', 'darwin', 'win32'];

export function parsePyproject(text: string, file: string): ParsedConfigFile {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    return { layer: {}, problems: [{ file, message: `invalid TOML: ${message}` }], hasSection: false };
  }
  const layer: ConfigLayer = {};
  const problems: ConfigProblem[] = [];
  const requires = ((document.project as Record<string, unknown> | undefined)?.['requires-python']);
  if (typeof requires === 'string') {
    const lowest = lowestRequiredPython(requires);
    if (lowest) layer.targetPython = lowest;
  }
  const section = (document.tool as Record<string, unknown> | undefined)?.['grpc-fork-guard'];
  if (section === undefined) return { layer, problems, hasSection: false };
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    return { layer, problems: [{ file, key: 'tool.grpc-fork-guard', message: 'must be a table' }], hasSection: true };
  }
  const problem = (key: string, message: string) => problems.push({ file, key: `tool.grpc-fork-guard.${key}`, message });
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    switch (key) {
      case 'select':
      case 'ignore': {
        const codes = ruleCodes(value, (m) => problem(key, m));
        if (codes) layer[key] = codes;
        break;
      }
      case 'severity': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problem(key, 'must be a table of rule code = severity');
          break;
        }
        const severity: Partial<Record<RuleCode, SeveritySetting>> = {};
        for (const [code, level] of Object.entries(value)) {
          if (!isRuleCode(code)) problem(`${key}.${code}`, `unknown rule code "${code}"`);
          else if (typeof level !== 'string' || !SEVERITIES.includes(level)) problem(`${key}.${code}`, `must be one of ${SEVERITIES.join(', ')}`);
          else severity[code] = level as SeveritySetting;
        }
        layer.severity = severity;
        break;
      }
      case 'exclude':
      case 'channel-factories': {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          problem(key, 'must be an array of strings');
          break;
        }
        if (key === 'exclude') layer.exclude = value as string[];
        else layer.channelFactories = value as string[];
        break;
      }
      case 'target-python': {
        const version = typeof value === 'string' ? parsePythonVersion(value) : undefined;
        if (!version) problem(key, 'must be a version string such as "3.12"');
        else layer.targetPython = version;
        break;
      }
      case 'target-platform':
        if (typeof value !== 'string' || !PLATFORMS.includes(value)) problem(key, `must be one of ${PLATFORMS.join(', ')}`);
        else layer.targetPlatform = value as Platform;
        break;
      case 'assume-fork-support':
        if (typeof value !== 'boolean') problem(key, 'must be true or false');
        else layer.assumeForkSupport = value;
        break;
      case 'unsafe-fixes':
        if (typeof value !== 'boolean') problem(key, 'must be true or false');
        else layer.unsafeFixes = value;
        break;
      default:
        problem(key, 'unknown key');
    }
  }
  return { layer, problems, hasSection: true };
}

function ruleCodes(value: unknown, problem: (message: string) => void): RuleCode[] | undefined {
  if (!Array.isArray(value)) {
    problem('must be an array of rule codes');
    return undefined;
  }
  const codes: RuleCode[] = [];
  for (const item of value) {
    const code = String(item).toUpperCase();
    // A prefix selects a group, as in Ruff: "GF1" selects GF101–GF104.
    const matching = RULE_CODES.filter((c) => c.startsWith(code) && code.startsWith('GF'));
    if (matching.length === 0) problem(`unknown rule code "${item}"`);
    codes.push(...matching);
  }
  return codes;
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
