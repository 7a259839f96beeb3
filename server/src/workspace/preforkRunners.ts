// Finds the pre-forking runners of a project for GF104, reading the files that configure them in
// the analysed file's folder and every folder above it up to the project root: gunicorn (`gunicorn.conf.py`, `--preload` on a Procfile / Dockerfile /
// compose command line), uWSGI (`uwsgi.ini`, `uwsgi` command lines), and the project's Python
// modules that run a Celery app or the Functions Framework (a quick text scan; the engine confirms
// each on the parsed module). Each file is read again only when its mtime changes.
import * as fs from 'fs';
import * as path from 'path';
import type { CodeRunnerName, RunnerFact } from '../engine/model/runners';
import { foldersUpTo } from './projectRoots';
import { Bound, listPythonFilesWithin } from './pythonFiles';
import { MAX_CONFIG_BYTES, MAX_SOURCE_BYTES, readTextFile } from './textFiles';

const COMMAND_FILES = ['Procfile', 'Dockerfile', 'docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'];
/** How long a listing of the project's Python files is reused before the folder is walked again. */
const LISTING_TTL_MS = 5000;
/** A search that hit its bound is reused longer: walking again would cost the whole bound each time. */
const BOUNDED_TTL_MS = 60_000;
/**
 * The search for Celery / Functions Framework modules stops here, with a warning, rather than hang on a huge tree.
 * The file count is the bound that decides; the time is only a safety net, generous enough that a loaded machine
 * (CI, a busy laptop) gets the same answer as an idle one.
 */
const CODE_RUNNER_SEARCH_BOUND: Bound = { maxFiles: 20_000, maxMs: 15_000 };

interface Command {
  file: string;
  line: number;
  words: string[];
}

const fileCache = new Map<string, { mtimeMs: number; value: unknown }>();
const listingCache = new Map<string, { at: number; files: string[]; ttl: number }>();

/**
 * The text of a file open in the editor (unsaved changes included), or undefined to read the
 * disk: a runner's configuration is read as the user sees it, and a fix that edits it (gunicorn's
 * `post_fork`) is made against that text.
 */
export type OpenText = (file: string) => string | undefined;

/**
 * Digests a file: its open text when it is open, else what the disk holds, read again only when
 * its mtime changed; undefined when it does not exist or is refused.
 */
function cached<T>(file: string, kind: string, digest: (text: string) => T, openText?: OpenText): T | undefined {
  const open = openText?.(file);
  if (open !== undefined) return digest(open);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    if (!stat.isFile()) return undefined;
  } catch {
    return undefined;
  }
  const hit = fileCache.get(`${file}\0${kind}`);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.value as T;
  const read = readTextFile(file, { maxBytes: file.endsWith('.py') ? MAX_SOURCE_BYTES : MAX_CONFIG_BYTES });
  if ('refused' in read) return undefined;
  const value = digest(read.text);
  fileCache.set(`${file}\0${kind}`, { mtimeMs: stat.mtimeMs, value });
  return value;
}

/**
 * The runners that may load a module of folder `fromDir`: those configured in `fromDir` or a
 * folder above it up to `projectRoot`, and the project's Celery / Functions Framework modules.
 * `codeRunners`: those modules when the caller already knows them (the workspace scan reads every
 * file anyway, see codeRunnerFactOf); else they are searched for here, within the project.
 */
export function preforkRunners(projectRoot: string, fromDir: string, exclude: readonly string[], codeRunners?: RunnerFact[], openText?: OpenText): RunnerFact[] {
  const facts: RunnerFact[] = [];
  for (const dir of foldersUpTo(fromDir, projectRoot)) {
    const commands = COMMAND_FILES.flatMap((name) => {
      const file = path.join(dir, name);
      const lines = cached(file, 'commandLines', commandLines, openText) ?? [];
      return lines.map((c) => ({ ...c, file }));
    });
    facts.push(...gunicornFacts(dir, projectRoot, commands, openText), ...uwsgiFacts(dir, projectRoot, commands, openText));
  }
  return [...facts, ...(codeRunners ?? codeRunnerFacts(projectRoot, exclude))];
}

// ---- gunicorn --------------------------------------------------------------------------------

const GUNICORN_VALUE_OPTIONS = new Set([
  '-c', '--config', '-b', '--bind', '-w', '--workers', '-k', '--worker-class', '--threads', '--worker-connections',
  '-t', '--timeout', '--graceful-timeout', '--keep-alive', '-e', '--env', '--chdir', '--pythonpath', '--log-level',
  '--access-logfile', '--error-logfile', '--log-file', '--access-logformat', '--log-config', '-n', '--name', '-u',
  '--user', '-g', '--group', '-m', '--umask', '-p', '--pid', '--max-requests', '--max-requests-jitter', '--backlog',
  '--limit-request-line', '--limit-request-fields', '--limit-request-field_size', '--worker-tmp-dir',
  '--forwarded-allow-ips', '--certfile', '--keyfile', '--ca-certs', '--ciphers', '--statsd-host', '--statsd-prefix',
  '--paste', '--proxy-allow-from', '--log-syslog-to', '--log-syslog-prefix', '--reload-engine', '--reload-extra-file',
]);

interface GunicornRun {
  command: Command;
  preload: boolean;
  app?: string;
  config?: string;
  chdir?: string;
}

/** The runners configured in folder `dir`; app modules are looked for there, then in the project root. */
function gunicornFacts(dir: string, root: string, commands: Command[], openText?: OpenText): RunnerFact[] {
  const runs = commands.map(gunicornRun).filter((r): r is GunicornRun => r !== undefined);
  const facts: RunnerFact[] = [];
  for (const run of runs.filter((r) => r.preload)) {
    facts.push({
      runner: 'gunicorn', how: `\`--preload\` in ${path.basename(run.command.file)}`, configPath: run.command.file,
      line: run.command.line, appModule: run.app ? appModulePath(dir, root, run.app, run.chdir) : undefined,
    });
  }
  const configFiles = new Set([path.join(dir, 'gunicorn.conf.py')]);
  for (const run of runs) if (run.config && !run.config.startsWith('python:')) configFiles.add(path.resolve(dir, run.config));
  for (const configFile of configFiles) {
    const config = cached(configFile, 'gunicornConfig', gunicornConfig, openText);
    if (!config || config.preloadLine === undefined) continue;
    const how = `\`preload_app = True\` in ${path.basename(configFile)}`;
    const base = { runner: 'gunicorn' as const, how, configPath: configFile, line: config.preloadLine, configText: config.text };
    // The app comes from `wsgi_app` in the file, else from the command lines that start gunicorn.
    const apps = config.wsgiApp ? [config.wsgiApp] : runs.filter((r) => !r.preload && r.app).map((r) => r.app!);
    if (apps.length === 0) facts.push(base);
    for (const app of apps) facts.push({ ...base, appModule: appModulePath(path.dirname(configFile), root, app, undefined) });
  }
  return facts;
}

function gunicornRun(command: Command): GunicornRun | undefined {
  const start = command.words.findIndex((w) => /(^|\/)gunicorn$/.test(w));
  if (start < 0) return undefined;
  const run: GunicornRun = { command, preload: false };
  const words = untilShellOperator(command.words.slice(start + 1));
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const [option, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (option === '--preload') run.preload = true;
    else if (GUNICORN_VALUE_OPTIONS.has(option)) {
      const value = inline ?? words[++i];
      if (option === '-c' || option === '--config') run.config = value;
      if (option === '--chdir') run.chdir = value;
    } else if (!word.startsWith('-')) run.app = word;
  }
  return run;
}

function gunicornConfig(text: string): { preloadLine?: number; wsgiApp?: string; text: string } {
  const result: { preloadLine?: number; wsgiApp?: string; text: string } = { text };
  text.split(/\r\n|\r|\n/).forEach((line, index) => {
    if (/^preload_app\s*=\s*True\b/.test(line)) result.preloadLine = index;
    const app = /^wsgi_app\s*=\s*(['"])([^'"]+)\1/.exec(line);
    if (app) result.wsgiApp = app[2];
  });
  return result;
}

// ---- uWSGI -----------------------------------------------------------------------------------

function uwsgiFacts(dir: string, root: string, commands: Command[], openText?: OpenText): RunnerFact[] {
  const facts: RunnerFact[] = [];
  const iniFiles = new Set([path.join(dir, 'uwsgi.ini')]);
  for (const command of commands) {
    const start = command.words.findIndex((w) => /(^|\/)uwsgi$/.test(w));
    if (start < 0) continue;
    const options = uwsgiOptions(untilShellOperator(command.words.slice(start + 1)));
    if (options.ini) {
      iniFiles.add(path.resolve(dir, options.ini));
      continue;
    }
    if (options.lazy) continue;
    facts.push({
      runner: 'uwsgi', how: `\`uwsgi\` without \`--lazy-apps\` in ${path.basename(command.file)}`, configPath: command.file,
      line: command.line, appModule: uwsgiApp(dir, root, options.module, options.wsgiFile),
    });
  }
  for (const iniFile of iniFiles) {
    const ini = cached(iniFile, 'uwsgiIni', uwsgiIni, openText);
    if (!ini || ini.lazy || ini.line === undefined) continue;
    facts.push({
      runner: 'uwsgi', how: `${path.basename(iniFile)} without \`lazy-apps = true\``, configPath: iniFile,
      line: ini.line, appModule: uwsgiApp(path.dirname(iniFile), root, ini.module, ini.wsgiFile),
    });
  }
  return facts;
}

interface UwsgiOptions {
  ini?: string;
  module?: string;
  wsgiFile?: string;
  lazy: boolean;
  line?: number;
}

function uwsgiOptions(words: string[]): UwsgiOptions {
  const options: UwsgiOptions = { lazy: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const [option, inline] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const value = () => inline ?? words[++i];
    if (option === '--lazy-apps' || option === '--lazy') options.lazy = true;
    else if (option === '--ini') options.ini = value();
    else if (option === '--module' || option === '-w' || option === '--wsgi') options.module = value();
    else if (option === '--wsgi-file' || option === '--file') options.wsgiFile = value();
  }
  return options;
}

function uwsgiIni(text: string): UwsgiOptions {
  const options: UwsgiOptions = { lazy: false };
  let inSection = false;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      inSection = section[1].trim() === 'uwsgi';
      if (inSection && options.line === undefined) options.line = index;
      return;
    }
    const pair = /^([\w-]+)\s*=(.*)$/.exec(line);
    if (!inSection || !pair) return;
    const key = pair[1];
    const value = pair[2].trim();
    if ((key === 'lazy-apps' || key === 'lazy') && /^(true|1|yes|on)$/i.test(value)) options.lazy = true;
    if (key === 'module' || key === 'wsgi') {
      options.module = value;
      options.line = index;
    }
    if (key === 'wsgi-file' || key === 'file') {
      options.wsgiFile = value;
      options.line = index;
    }
  });
  return options;
}

function uwsgiApp(base: string, root: string, module: string | undefined, wsgiFile: string | undefined): string | undefined {
  if (wsgiFile) return path.resolve(base, wsgiFile);
  return module ? appModulePath(base, root, module, undefined) : undefined;
}

// ---- runners in the code ---------------------------------------------------------------------

const CODE_RUNNER_HINT = /^[ \t]*(from\s+celery\b|import\s+celery\b|import\s+functions_framework\b|from\s+functions_framework\b)|^[ \t]*@[\w.]*(shared_task|\.task)\b/m;

const codeFactsCache = new Map<string, { at: number; facts: RunnerFact[]; ttl: number }>();

function codeRunnerFacts(root: string, exclude: readonly string[]): RunnerFact[] {
  // Within one listing's lifetime the answer is the listing's: no need to stat every file again.
  const known = codeFactsCache.get(root);
  if (known && Date.now() - known.at < known.ttl) return known.facts;
  const { facts, complete } = scanCodeRunners(root, exclude);
  codeFactsCache.set(root, { at: Date.now(), facts, ttl: complete ? LISTING_TTL_MS : BOUNDED_TTL_MS });
  return facts;
}

const warnedRoots = new Set<string>();

/** Listing and reading share one bound: past it the search stops and says so once per root. */
function scanCodeRunners(root: string, exclude: readonly string[]): { facts: RunnerFact[]; complete: boolean } {
  const started = performance.now();
  let complete = true;
  const listing = listingCache.get(root);
  let files: string[];
  if (listing && Date.now() - listing.at < listing.ttl) files = listing.files;
  else {
    const bounded = listPythonFilesWithin(root, exclude, CODE_RUNNER_SEARCH_BOUND);
    files = bounded.files;
    complete = bounded.complete;
    listingCache.set(root, { at: Date.now(), files, ttl: complete ? LISTING_TTL_MS : BOUNDED_TTL_MS });
  }
  const facts: RunnerFact[] = [];
  let read = 0;
  for (const file of files) {
    if (performance.now() - started > CODE_RUNNER_SEARCH_BOUND.maxMs) {
      complete = false;
      break;
    }
    read++;
    const hint = cached(file, 'codeRunnerHint', codeRunnerHint);
    if (hint) facts.push(codeRunnerFact(file, hint));
  }
  if (!complete && !warnedRoots.has(root)) {
    warnedRoots.add(root);
    // stderr: the CLI's warning channel, and the language server's log in every client.
    process.stderr.write(
      `grpc-fork-guard: warning: the search for Celery / Functions Framework modules under ${root} stopped after ${read} files ` +
      `(bound: ${CODE_RUNNER_SEARCH_BOUND.maxFiles} files or ${CODE_RUNNER_SEARCH_BOUND.maxMs / 1000} s); GF104 may miss runners beyond them\n`,
    );
  }
  return { facts, complete };
}

function codeRunnerFact(file: string, hint: CodeRunnerHint): RunnerFact {
  return { runner: hint.runner, how: `${hint.runner === 'celery' ? 'Celery' : 'functions_framework'} in ${path.basename(file)}`, configPath: file, line: hint.line, appModule: file };
}

/** The runner a Python module starts, from its text (what codeRunnerFacts finds for each file). */
export function codeRunnerFactOf(file: string, text: string): RunnerFact | undefined {
  const hint = codeRunnerHint(text);
  return hint ? codeRunnerFact(file, hint) : undefined;
}

/** Words one of which every match of CODE_RUNNER_HINT holds. */
const RUNNER_HINT_WORDS = ['celery', 'functions_framework', 'task'];

/**
 * Whether a module's text or bytes may start a runner: a plain substring test, because the
 * multi-line pattern is costly over a large project. The scan's workers ask it of bytes, so a file
 * that fails it is never decoded.
 */
export function mayStartRunner(content: string | Buffer): boolean {
  return RUNNER_HINT_WORDS.some((word) => content.includes(word));
}

interface CodeRunnerHint {
  runner: CodeRunnerName;
  line: number;
}

function codeRunnerHint(text: string): CodeRunnerHint | undefined {
  if (!mayStartRunner(text)) return undefined;
  const match = CODE_RUNNER_HINT.exec(text);
  if (!match) return undefined;
  const line = text.slice(0, match.index).split('\n').length - 1;
  return { runner: /functions_framework/.test(match[0]) ? 'functions-framework' : 'celery', line };
}

// ---- command lines ---------------------------------------------------------------------------

/** Command lines of a Procfile, Dockerfile (`CMD`, `ENTRYPOINT`) or compose file (`command:`). */
function commandLines(text: string): Omit<Command, 'file'>[] {
  const lines = text.split(/\r\n|\r|\n/);
  const found: Omit<Command, 'file'>[] = [];
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    // Continued lines are joined once (not re-copied per line, which is quadratic).
    const parts = [lines[index]];
    while (parts[parts.length - 1].endsWith('\\') && index + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1].slice(0, -1);
      parts.push(lines[++index]);
    }
    const line = parts.join(' ');
    // Linear on any line: no blank class (`\s*`) is followed by a part that also matches blanks;
    // the command is trimmed in code.
    const procfile = /^[\w-]+:(.*)$/.exec(line);
    const docker = /^\s*(?:CMD|ENTRYPOINT)\s(.*)$/i.exec(line);
    const compose = /^\s*(?:command|entrypoint):(.*)$/.exec(line);
    const body = (docker ?? compose ?? procfile)?.[1].trim();
    if (body) found.push({ line: start, words: words(body) });
  }
  return found;
}

/** Splits a command into words: a JSON array (`["gunicorn", "--preload"]`) or shell words. */
function words(text: string): string[] {
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text.replace(/'/g, '"'));
      if (Array.isArray(parsed)) return parsed.map(String).flatMap((w) => (w.includes(' ') ? words(w) : [w]));
    } catch {
      // Not JSON: read it as shell words.
    }
  }
  const result: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) result.push(match[1] ?? match[2] ?? match[3]);
  return result;
}

function untilShellOperator(words: string[]): string[] {
  const end = words.findIndex((w) => ['&&', '||', ';', '|', '&'].includes(w));
  return end < 0 ? words : words.slice(0, end);
}

/**
 * `app.wsgi:application` → the file of module `app.wsgi`, looked for beside the file that names it
 * (`dir`, or its `--chdir`), then under the project root and its src/.
 */
function appModulePath(dir: string, root: string, spec: string, chdir: string | undefined): string {
  const module = spec.split(':')[0].replace(/\.py$/, '');
  const parts = module.split('.');
  const bases = [chdir ? path.resolve(dir, chdir) : undefined, dir, root, path.join(root, 'src')].filter((b): b is string => !!b);
  for (const base of bases) {
    for (const candidate of [`${path.join(base, ...parts)}.py`, path.join(base, ...parts, '__init__.py')]) {
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return `${path.join(dir, ...parts)}.py`;
}
