// Command-line parsing. Usage errors exit with code 2 and one line saying what was wrong.
import { parseArgs } from 'util';
import type { ConfigLayer, Platform } from '../engine/config';
import { parsePythonVersion } from '../engine/config';
import { RULE_CODES, RuleCode } from '../engine/findings';

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface CliOptions {
  command: 'check' | 'fix' | 'help' | 'version';
  paths: string[];
  format: OutputFormat;
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
  --select CODES            only these rule codes, comma-separated (e.g. GF101,GF2)
  --ignore CODES            never these rule codes
  --target-python X.Y       lowest Python version the code runs on
  --target-platform NAME    linux, darwin or win32
  --exit-zero               exit 0 even when there are findings
  --statistics              print the number of findings per rule instead of the
                            findings (as a table, or JSON with --format json)
  --unsafe-fixes            fix: also apply fixes that may change other behaviour
  --diff                    fix: show the changes, do not write them
  --verbose                 show the details (stack trace) of an internal error
  -h, --help                show this help
  --version                 show the version

Exit codes: 0 no findings, 1 findings, 2 usage, configuration, output or internal error
(and, for fix, a file that could not be written).`;

export function parseCommandLine(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
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
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = { paths: [], format: 'text' as const, overrides: {}, exitZero: false, unsafeFixes: false, diff: false, statistics: false, verbose: values.verbose ?? false };
  if (values.help) return { ...base, command: 'help' };
  if (values.version) return { ...base, command: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('no command given (expected "check" or "fix")');
  if (command !== 'check' && command !== 'fix') throw new UsageError(`unknown command "${command}" (expected "check" or "fix")`);
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}" (expected ${FORMATS.join(', ')})`);
  const statistics = values.statistics ?? false;
  if (statistics && format !== 'text' && format !== 'json') throw new UsageError(`--statistics prints text or JSON, not ${format}`);
  const overrides: ConfigLayer = {};
  if (values.select !== undefined) overrides.select = codeList(values.select, '--select');
  if (values.ignore !== undefined) overrides.ignore = codeList(values.ignore, '--ignore');
  if (values['target-python'] !== undefined) {
    const version = parsePythonVersion(values['target-python']);
    if (!version) throw new UsageError(`--target-python expects a version such as 3.12, not "${values['target-python']}"`);
    overrides.targetPython = version;
  }
  if (values['target-platform'] !== undefined) {
    const platform = values['target-platform'];
    if (!['linux', 'darwin', 'win32'].includes(platform)) throw new UsageError(`--target-platform expects linux, darwin or win32, not "${platform}"`);
    overrides.targetPlatform = platform as Platform;
  }
  return {
    command, paths: paths.length ? paths : ['.'], format: format as OutputFormat, overrides,
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
