// Every setting of the product in one table: the pyproject.toml reader, the VS Code settings in
// package.json and the JSON Schema for [tool.grpc-fork-guard] all come from here
// (`npm run schema` writes the last two; test/engine/settingsSchema.test.ts proves they agree).
import type { EngineConfig } from './config';
import { RULE_CODES } from './rules/registry';

/** The shape of a setting's value, as the user writes it. */
export type SettingValue =
  | { kind: 'boolean' }
  /** Rule codes or their prefixes ("GF1" is GF101–GF104), as Ruff's `select` takes them. */
  | { kind: 'ruleCodes' }
  /** Rule code → severity. */
  | { kind: 'severities' }
  | { kind: 'strings' }
  /** "3.Y": gRPC supports Python 3 only. */
  | { kind: 'pythonVersion' }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'number'; minimum?: number; exclusiveMinimum?: number };

export interface SettingDefinition {
  /** Said once; the editor's text adds which pyproject.toml key the setting overrides. */
  description: string;
  value: SettingValue;
  /** The value in effect when nothing sets it, in the form the user would write. */
  default: unknown;
  /** Its key in `[tool.grpc-fork-guard]`; absent when only the editor has the setting. */
  pyproject?: string;
  /** Its name after `grpcForkGuard.` in VS Code; absent when only pyproject.toml has it. */
  editor?: {
    name: string;
    scope: 'resource' | 'window';
    /**
     * Unset (null) by default, so that pyproject.toml and then the default apply: VS Code sends a
     * setting's default as if the user had chosen it.
     */
    unsetByDefault?: boolean;
  };
  /** The engine configuration field the value lands in (pyproject.toml and editor alike). */
  config?: keyof EngineConfig;
}

export const SEVERITY_SETTINGS = ['error', 'warning', 'information', 'hint', 'off'] as const;
export const PLATFORMS = ['linux', 'darwin', 'win32'] as const;
export const DEFAULT_EXCLUDE = ['.venv', 'venv', 'node_modules', '.git', 'site-packages', '__pycache__'];
export const DEFAULT_TARGET_PYTHON = '3.9';
/** What a `target-python` value must look like: the CLI's `--target-python` takes the same. */
export const PYTHON_VERSION_PATTERN = '^3\\.[0-9]{1,2}$';

export const SETTINGS: readonly SettingDefinition[] = [
  {
    description: 'Analyse Python files for gRPC and fork() hazards.',
    value: { kind: 'boolean' },
    default: true,
    editor: { name: 'enable', scope: 'resource' },
  },
  {
    description: 'Rule codes to report, or their prefixes ("GF1" is GF101–GF104). All rules when unset.',
    value: { kind: 'ruleCodes' },
    // Read when asked, not at load: the registry's modules load after this table's.
    get default() {
      return [...RULE_CODES];
    },
    pyproject: 'select',
    editor: { name: 'select', scope: 'resource', unsetByDefault: true },
    config: 'select',
  },
  {
    description: 'Rule codes, or their prefixes, never to report.',
    value: { kind: 'ruleCodes' },
    default: [],
    pyproject: 'ignore',
    editor: { name: 'ignore', scope: 'resource', unsetByDefault: true },
    config: 'ignore',
  },
  {
    description: 'Severity per rule code: error, warning, information, hint or off. Example: {"GF302": "off"}.',
    value: { kind: 'severities' },
    default: {},
    pyproject: 'severity',
    editor: { name: 'severity', scope: 'resource', unsetByDefault: true },
    config: 'severity',
  },
  {
    description: 'Glob patterns of files and folders the workspace scan and the command line skip ' +
      '(.venv, venv, node_modules, .git, site-packages and __pycache__ by default).',
    value: { kind: 'strings' },
    default: [...DEFAULT_EXCLUDE],
    pyproject: 'exclude',
    editor: { name: 'exclude', scope: 'resource', unsetByDefault: true },
    config: 'exclude',
  },
  {
    description: 'Lowest Python version the code runs on, e.g. "3.12" (default: the lowest version ' +
      'requires-python in pyproject.toml allows, else 3.9). Decides whether the default multiprocessing start method forks.',
    value: { kind: 'pythonVersion' },
    default: DEFAULT_TARGET_PYTHON,
    pyproject: 'target-python',
    editor: { name: 'targetPython', scope: 'resource', unsetByDefault: true },
    config: 'targetPython',
  },
  {
    description: 'Platform the code runs on. macOS and Windows spawn by default.',
    value: { kind: 'choice', values: PLATFORMS },
    default: 'linux',
    pyproject: 'target-platform',
    editor: { name: 'targetPlatform', scope: 'resource', unsetByDefault: true },
    config: 'targetPlatform',
  },
  {
    description: 'Extra dotted names of callables that return gRPC-backed clients, e.g. "mycompany.rpc.make_client".',
    value: { kind: 'strings' },
    default: [],
    pyproject: 'channel-factories',
    editor: { name: 'channelFactories', scope: 'resource', unsetByDefault: true },
    config: 'channelFactories',
  },
  {
    description: 'The environment sets GRPC_ENABLE_FORK_SUPPORT and GRPC_POLL_STRATEGY outside the code.',
    value: { kind: 'boolean' },
    default: false,
    pyproject: 'assume-fork-support',
    editor: { name: 'assumeForkSupport', scope: 'resource', unsetByDefault: true },
    config: 'assumeForkSupport',
  },
  {
    description: 'Let Fix All, fix-on-save and the `fix` command apply unsafe fixes too (fixes that may change other behaviour).',
    value: { kind: 'boolean' },
    default: false,
    pyproject: 'unsafe-fixes',
    editor: { name: 'unsafeFixes', scope: 'resource' },
    config: 'unsafeFixes',
  },
  {
    description: 'Scan the whole workspace when the extension starts (as "gRPC Fork Guard: Scan Workspace" does), ' +
      'so that the Problems panel lists files that are not open.',
    value: { kind: 'boolean' },
    default: false,
    editor: { name: 'scanOnStartup', scope: 'window' },
  },
  {
    description: 'How much the language server writes to the output channel.',
    value: { kind: 'choice', values: ['error', 'warn', 'info', 'debug'] },
    default: 'info',
    editor: { name: 'logLevel', scope: 'window' },
  },
  {
    description: 'Traces the communication between VS Code and the language server.',
    value: { kind: 'choice', values: ['off', 'messages', 'verbose'] },
    default: 'off',
    editor: { name: 'trace.server', scope: 'window' },
  },
  {
    description: 'Milliseconds to wait after the last keystroke before analysing a file again.',
    value: { kind: 'number', minimum: 0 },
    default: 150,
    editor: { name: 'debounceMs', scope: 'resource' },
  },
  {
    description: 'Largest file analysed, in megabytes (the command line\'s limit is 5). A larger file gets one notice instead of diagnostics.',
    value: { kind: 'number', exclusiveMinimum: 0 },
    default: 5,
    editor: { name: 'maxFileSize', scope: 'resource' },
  },
];

export function pyprojectSettings(): SettingDefinition[] {
  return SETTINGS.filter((setting) => setting.pyproject !== undefined);
}

export function editorSettings(): SettingDefinition[] {
  return SETTINGS.filter((setting) => setting.editor !== undefined);
}

/** "GF", "GF1", "GF10", "GF101", ...: every code and every prefix that selects a group of them. */
export function ruleSelectors(): string[] {
  const selectors = new Set<string>();
  for (const code of RULE_CODES) for (let length = 2; length <= code.length; length++) selectors.add(code.slice(0, length));
  return [...selectors];
}
