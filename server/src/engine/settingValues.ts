// Reads one setting's value by its kind in the settings table: the value the engine uses, or the
// problems to report. Wrong entries of a list or table are reported one by one and the rest kept.
import { parsePythonVersion } from './config';
import type { RuleCode } from './findings';
import { RULE_CODES, isRuleCode } from './rules/registry';
import { PYTHON_VERSION_PATTERN, SEVERITY_SETTINGS, SettingValue } from './settingsTable';

export interface ReadSetting {
  /** Absent when nothing usable was given. */
  value?: unknown;
  /** Each with the sub-key it concerns ("GF101" of `severity`), if any. */
  problems: { subKey?: string; message: string }[];
}

export function readSettingValue(shape: SettingValue, raw: unknown): ReadSetting {
  switch (shape.kind) {
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw, problems: [] } : problem('must be true or false');
    case 'ruleCodes':
      return readRuleCodes(raw);
    case 'severities':
      return readSeverities(raw);
    case 'strings':
      return Array.isArray(raw) && raw.every((item) => typeof item === 'string') ? { value: raw, problems: [] } : problem('must be an array of strings');
    case 'pythonVersion':
      return typeof raw === 'string' && new RegExp(PYTHON_VERSION_PATTERN).test(raw)
        ? { value: parsePythonVersion(raw), problems: [] }
        : problem('must be a Python 3 version string such as "3.12" (gRPC supports Python 3 only)');
    case 'choice':
      return typeof raw === 'string' && shape.values.includes(raw) ? { value: raw, problems: [] } : problem(`must be one of ${shape.values.join(', ')}`);
    case 'number': {
      const ok = typeof raw === 'number' && Number.isFinite(raw)
        && (shape.minimum === undefined || raw >= shape.minimum)
        && (shape.exclusiveMinimum === undefined || raw > shape.exclusiveMinimum);
      const bound = shape.minimum !== undefined ? ` of at least ${shape.minimum}` : shape.exclusiveMinimum !== undefined ? ` above ${shape.exclusiveMinimum}` : '';
      return ok ? { value: raw, problems: [] } : problem(`must be a number${bound}`);
    }
  }
}

function problem(message: string): ReadSetting {
  return { problems: [{ message }] };
}

function readRuleCodes(raw: unknown): ReadSetting {
  if (!Array.isArray(raw)) return problem('must be an array of rule codes');
  const codes: RuleCode[] = [];
  const problems: ReadSetting['problems'] = [];
  for (const item of raw) {
    const selector = String(item).toUpperCase();
    // A prefix selects a group, as in Ruff: "GF1" selects GF101–GF104.
    const matching = selector.startsWith('GF') ? RULE_CODES.filter((code) => code.startsWith(selector)) : [];
    if (matching.length === 0) problems.push({ message: `unknown rule code "${item}"` });
    codes.push(...matching);
  }
  return { value: codes, problems };
}

function readSeverities(raw: unknown): ReadSetting {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return problem('must be a table of rule code = severity');
  const severity: Record<string, string> = {};
  const problems: ReadSetting['problems'] = [];
  for (const [code, level] of Object.entries(raw)) {
    if (!isRuleCode(code)) problems.push({ subKey: code, message: `unknown rule code "${code}"` });
    else if (typeof level !== 'string' || !(SEVERITY_SETTINGS as readonly string[]).includes(level)) problems.push({ subKey: code, message: `must be one of ${SEVERITY_SETTINGS.join(', ')}` });
    else severity[code] = level;
  }
  return { value: severity, problems };
}
