// Command-line parsing. Usage errors exit with code 2 and one line saying what was wrong.
import { parseArgs } from 'util';
import type { ConfigLayer, Platform } from '../engine/config';
import { parsePythonVersion } from '../engine/config';
import type { RuleCode } from '../engine/findings';
import { RULE_CODES } from '../engine/rules/registry';
import { nearest } from '../engine/nearestName';
import { TEXT_STYLES, TextStyle } from './textOutput';

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface CliOptions {
  command: 'check' | 'fix' | 'help' | 'version';
  paths: string[];
  format: OutputFormat;
  /** Text with a code frame under each finding, or one line each; unset: full on a terminal. */
  textStyle?: TextStyle;
  overrides: ConfigLayer;
  exitZero: boolean;
  /** Print counts per rule instead of the findings. */
  statistics: boolean;
  unsafeFixes: boolean;
  /** `fix --diff`: show the changes, write nothing. */
  diff: boolean;
  /** Show the stack of an internal error. */
  verbose: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: grpc-fork-guard check [PATHS...] [options]
       grpc-fork-guard fix [PATHS...] [--unsafe-fixes] [--diff]

check: finds gRPC and fork() hazards in Python files (a directory is scanned recursively).
fix:   applies the preferred safe fixes (and unsafe ones with --unsafe-fixes) in place;
       --diff prints them as a unified diff instead and writes nothing.

Options:
  --format FORMAT           text (default), json, sarif (SARIF 2.1.0) or github
                            (GitHub Actions workflow annotations)
  --output-format STYLE     full (text with a code frame under each finding; the
                            default on a terminal) or concise (one line each; the
                            default otherwise); json, sarif and github as --format
  --select CODES            only these rule codes, comma-separated (e.g. GF101,GF2)
  --ignore CODES            never these rule codes
  --target-python 3.Y       lowest Python version the code runs on (3.x only)
  --target-platform NAME    linux, darwin or win32
  --exit-zero               exit 0 even when there are findings
  --statistics              print the number of findings per rule instead of the
                            findings (as a table, or JSON with --format json)
  --unsafe-fixes            fix: also apply fixes that may change other behaviour
  --diff                    fix: show the changes, do not write them
  --verbose                 show the details (stack trace) of an internal error
  -h, --help                show this help
  --version                 show the version

Colour: on when the output is a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 on
(FORCE_COLOR wins).

Exit codes: 0 no findings, 1 findings, 2 usage, configuration, output or internal error
(and, for fix, a file that could not be written).`;

const COMMANDS = ['check', 'fix'] as const;
const OPTIONS = {
  format: { type: 'string' },
  'output-format': { type: 'string' },
  select: { type: 'string' },
  ignore: { type: 'string' },
  'target-python': { type: 'string' },
  'target-platform': { type: 'string' },
  'exit-zero': { type: 'boolean' },
  statistics: { type: 'boolean' },
  'unsafe-fixes': { type: 'boolean' },
  diff: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function parseCommandLine(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  const base = { paths: [], format: 'text' as const, overrides: {}, exitZero: false, unsafeFixes: false, diff: false, statistics: false, verbose: values.verbose ?? false };
  if (values.help) return { ...base, command: 'help' };
  if (values.version) return { ...base, command: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('no command given (expected "check" or "fix")');
  if (command !== 'check' && command !== 'fix') {
    const meant = nearest(command, COMMANDS);
    throw new UsageError(`unknown command "${command}" (expected "check" or "fix")${meant ? `; did you mean \`${meant}\`?` : ''}`);
  }
  const { format, textStyle } = outputChoice(values.format, values['output-format']);
  const statistics = values.statistics ?? false;
  if (statistics && format !== 'text' && format !== 'json') throw new UsageError(`--statistics prints text or JSON, not ${format}`);
  const overrides: ConfigLayer = {};
  if (values.select !== undefined) overrides.select = codeList(values.select, '--select');
  if (values.ignore !== undefined) overrides.ignore = codeList(values.ignore, '--ignore');
  if (values['target-python'] !== undefined) {
    // gRPC supports Python 3 only; "3.12" and nothing else (no "3.12.1", no "2.7").
    const version = /^3\.\d{1,2}$/.test(values['target-python'].trim()) ? parsePythonVersion(values['target-python']) : undefined;
    if (!version) throw new UsageError(`--target-python expects a Python 3 version such as 3.12 (gRPC supports Python 3 only), not "${values['target-python']}"`);
    overrides.targetPython = version;
  }
  if (values['target-platform'] !== undefined) {
    const platform = values['target-platform'];
    if (!['linux', 'darwin', 'win32'].includes(platform)) throw new UsageError(`--target-platform expects linux, darwin or win32, not "${platform}"`);
    overrides.targetPlatform = platform as Platform;
  }
  return {
    command, paths: paths.length ? paths : ['.'], format, textStyle, overrides,
    exitZero: values['exit-zero'] ?? false, unsafeFixes: values['unsafe-fixes'] ?? false, diff: values.diff ?? false, statistics,
    verbose: values.verbose ?? false,
  };
}

function codeList(text: string, flag: string): RuleCode[] {
  const codes: RuleCode[] = [];
  for (const item of text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)) {
    const matching = item.startsWith('GF') ? RULE_CODES.filter((code) => code.startsWith(item)) : [];
    if (matching.length === 0) throw new UsageError(`${flag}: unknown rule code "${item}"`);
    codes.push(...matching);
  }
  return codes;
}

/** `--format` and `--output-format` (Ruff's name, which also takes full and concise) agree on one output. */
function outputChoice(format: string | undefined, outputFormat: string | undefined): { format: OutputFormat; textStyle?: TextStyle } {
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}" (expected ${FORMATS.join(', ')})${suggestion(format, FORMATS)}`);
  }
  if (outputFormat === undefined) return { format: (format ?? 'text') as OutputFormat };
  const choices = [...TEXT_STYLES, ...FORMATS.filter((f) => f !== 'text')];
  if (!choices.includes(outputFormat as never)) {
    throw new UsageError(`unknown output format "${outputFormat}" (expected ${choices.join(', ')})${suggestion(outputFormat, choices)}`);
  }
  const isStyle = (TEXT_STYLES as readonly string[]).includes(outputFormat);
  const chosen = (isStyle ? 'text' : outputFormat) as OutputFormat;
  if (format !== undefined && format !== chosen) throw new UsageError(`--format ${format} and --output-format ${outputFormat} disagree: give one of them`);
  return { format: chosen, textStyle: isStyle ? (outputFormat as TextStyle) : undefined };
}

function suggestion(typed: string, known: readonly string[]): string {
  const meant = nearest(typed, known);
  return meant ? `; did you mean "${meant}"?` : '';
}

/** Node's parseArgs messages, in this tool's words, with the nearest known option or command. */
function describeParseError(error: Error & { code?: string }): string {
  const unknown = /Unknown option '(-{1,2})([^']*)'/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const [, dashes, name] = unknown;
    const bare = name.split('=')[0];
    const option = nearest(bare, Object.keys(OPTIONS));
    const command = nearest(bare, COMMANDS);
    let hint = '';
    if (command && bare.toLowerCase() === command) hint = `; did you mean the \`${command}\` command (grpc-fork-guard ${command} ...)?`;
    else if (option) hint = `; did you mean \`--${option}\`?`;
    else if (command) hint = `; did you mean the \`${command}\` command?`;
    return `unknown option "${dashes}${name}"${hint || ' (a path that starts with "-" goes after "--")'}`;
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && missing) return `${missing[1]} needs a value`;
  return error.message;
}
