// Pre-forking runners (GF104): programs that import a module of the project and then fork
// worker processes, so whatever the module made at import time is inherited by every worker.
// Some are visible in the code (a Celery app or task, `import functions_framework`); the others
// are configured in files the workspace layer reads (gunicorn, uWSGI) and arrive as RunnerFacts.
import type { Node } from 'web-tree-sitter';
import { buildTimeline, WalkOptions } from './executionOrder';
import type { SourceFile } from './sourceFile';
import { field, namedChildren, stringLiteral } from './syntax';
import type { Site, Timeline } from './timeline';

/** Runners that start from the code of a module (the others from a command line or a config file). */
export type CodeRunnerName = 'celery' | 'functions-framework';
export type RunnerName = 'gunicorn' | 'uwsgi' | CodeRunnerName;

/** A runner configured outside the analysed file, as the workspace layer found it. */
export interface RunnerFact {
  runner: RunnerName;
  /** How it is configured, for messages: "`--preload` in the Procfile". */
  how: string;
  /** The file that configures it (a Procfile, gunicorn.conf.py, uwsgi.ini, or a Python module). */
  configPath: string;
  /** 0-based line of that file where the configuration is. */
  line: number;
  /** Absolute path of the module the runner loads first, when the configuration names it. */
  appModule?: string;
  /** The text of a Python configuration file (gunicorn.conf.py): a fix may add a hook to it. */
  configText?: string;
}

/** What rules see of the runners: the facts, and the import-time run of a module they load. */
export interface RunnerView {
  facts: readonly RunnerFact[];
  /** `modulePath` run as the entry module (its file and timeline), or undefined when it cannot be loaded. */
  programOf(modulePath: string): RunnerProgram | undefined;
  /** Whether another module of the project imports `name` from the analysed one. */
  importersUse(name: string): boolean;
}

export interface RunnerProgram {
  file: SourceFile;
  timeline: Timeline;
}

/** `facts` may be a function: the workspace then reads runner files only when a rule asks. */
export function runnerView(file: SourceFile, timeline: Timeline, facts: readonly RunnerFact[] | (() => readonly RunnerFact[]), options: WalkOptions): RunnerView {
  const cache = new Map<string, RunnerProgram | undefined>([[file.path, { file, timeline }]]);
  let known: readonly RunnerFact[] | undefined;
  return {
    get facts() {
      known ??= typeof facts === 'function' ? facts() : facts;
      return known;
    },
    programOf(modulePath) {
      if (!cache.has(modulePath)) {
        const loaded = options.resolver?.load(modulePath);
        cache.set(modulePath, loaded ? { file: loaded, timeline: buildTimeline(loaded, options) } : undefined);
      }
      return cache.get(modulePath);
    },
    importersUse(name) {
      return options.resolver?.usedByImporters?.(file.path, name) ?? false;
    },
  };
}

/** A runner found in the code of one module: where, and what it is. */
export interface CodeRunner {
  runner: CodeRunnerName;
  site: Site;
}

const CELERY_APPS = new Set(['celery.Celery', 'celery.app.Celery', 'celery.app.base.Celery']);
const CELERY_TASK_DECORATORS = new Set(['celery.shared_task', 'celery.task', 'celery.app.shared_task']);
/** The words whose nodes codeRunnerOf reads from a whole module (a task decorator, a worker pool setting), not along the walk. */
export const CELERY_SCANNED_WORDS = ['task', 'worker_pool'];
/** Celery worker pools that run tasks in the worker process itself: nothing forks after import. */
const NON_FORKING_POOLS = new Set(['threads', 'solo', 'gevent', 'eventlet', 'custom']);

/**
 * The runner that loads `modulePath` and forks afterwards, judging by its own code: a Celery app
 * made or tasks declared there (unless the app picks a pool that does not fork), or an import of
 * functions_framework.
 */
export function codeRunnerOf(timeline: Timeline, modulePath: string, root: Node): CodeRunner | undefined {
  const here = timeline.qualifiedUses.filter((use) => use.site.path === modulePath);
  const apps = timeline.qualifiedUses.filter((use) => CELERY_APPS.has(use.qname));
  if (apps.length > 0 && apps.every((app) => choosesNonForkingPool(app.site.node.tree.rootNode))) return undefined;
  const celery = here.find((use) => CELERY_APPS.has(use.qname) || CELERY_TASK_DECORATORS.has(use.qname))?.site
    ?? (apps.length > 0 ? taskDecorator(root, modulePath) : undefined);
  if (celery) return { runner: 'celery', site: celery };
  const framework = timeline.events.find((e) => e.kind === 'import' && e.site.path === modulePath && !e.inChild && /^functions_framework(\.|$)/.test(e.module));
  if (framework?.kind === 'import') return { runner: 'functions-framework', site: framework.site };
  return undefined;
}

/** `@app.task` or `@app.task(...)` on a function of the module. */
function taskDecorator(root: Node, path: string): Site | undefined {
  for (const decorator of root.descendantsOfType('decorator')) {
    let expression = decorator ? namedChildren(decorator)[0] : undefined;
    if (expression?.type === 'call') expression = field(expression, 'function');
    if (expression?.type === 'attribute' && field(expression, 'attribute')?.text === 'task') return { node: decorator!, path };
  }
  return undefined;
}

/** `app.conf.worker_pool = "threads"`, `app.conf.update(worker_pool="solo")`, `Celery(..., worker_pool=...)`. */
function choosesNonForkingPool(root: Node): boolean {
  for (const assignment of root.descendantsOfType('assignment')) {
    const left = assignment && field(assignment, 'left');
    const right = assignment && field(assignment, 'right');
    if (left?.type === 'attribute' && /(^|\.)worker_pool$/.test(left.text) && right && NON_FORKING_POOLS.has(stringLiteral(right) ?? '')) return true;
  }
  for (const argument of root.descendantsOfType('keyword_argument')) {
    const value = argument && field(argument, 'value');
    if (argument && field(argument, 'name')?.text === 'worker_pool' && value && NON_FORKING_POOLS.has(stringLiteral(value) ?? '')) return true;
  }
  return false;
}
