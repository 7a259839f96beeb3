import { importTimeClientFixes } from '../fixes/importTimeClientFixes';
import type { RunnerHook } from '../fixes/runnerHookFixes';
import { describeObject } from '../model/describe';
import { CodeRunner, RunnerFact, codeRunnerOf } from '../model/runners';
import type { GrpcObject, Site, Timeline } from '../model/timeline';
import { sameSite } from '../model/anchors';
import { isMainGuard, namedChildren } from '../model/syntax';
import { ExternalRelated, RUNNER_WORDS, RuleContext, defineRule } from './rule';

const KINDS = ['client', 'channel', 'stub'];
const IMPORTS = ['import_statement', 'import_from_statement'];

const RUNNER_NAMES: Record<string, string> = {
  gunicorn: 'gunicorn', uwsgi: 'uWSGI', celery: 'the Celery worker', 'functions-framework': 'the Functions Framework',
};

export const importTimeChannelInPreforkApp = defineRule({
  code: 'GF104',
  name: 'import-time-channel-in-prefork-app',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['grpc'], catalogObjects: true, follows: ['grpc', ...RUNNER_WORDS] },
  docs: {
    summary: 'A gRPC channel, stub or client is made at import time of a module that a pre-forking runner loads before it forks its workers.',
    whatItDoes:
      'Finds channels, stubs and gRPC-backed clients that exist once a module\'s top level has run, when that module ' +
      'is loaded by a runner that imports the application first and forks worker processes afterwards: a Celery ' +
      'app (`Celery(...)`, `@app.task`, `@shared_task`; the prefork pool is Celery\'s default), gunicorn with ' +
      '`preload_app = True` in `gunicorn.conf.py` or `--preload` on a command line (Procfile, Dockerfile ' +
      '`CMD`/`ENTRYPOINT`, compose `command`), uWSGI without `lazy-apps = true` in `uwsgi.ini`, and Cloud ' +
      'Functions apps (`import functions_framework`). Modules the app module imports at import time count too: ' +
      'the finding is in the module whose top level makes the channel.',
    whyIsThisBad:
      'The fork is not in the code, but it happens: the runner\'s master process imports the module, then forks ' +
      'its workers, and every worker inherits the channel\'s threads, sockets and pollers. Workers then hang on ' +
      'their first RPC or fail with `StatusCode.UNAVAILABLE` or "Socket operation on non-socket".',
    example: [
      '# tasks.py, run by `celery -A tasks worker` (prefork pool)',
      'app = Celery("billing")',
      'stub = BillingStub(grpc.insecure_channel("billing:50051"))',
      '',
      '@app.task',
      'def charge(customer_id):',
      '    return stub.Charge(customer_id)',
    ].join('\n'),
    useInstead: [
      'app = Celery("billing")',
      'stub = None',
      '',
      '@worker_process_init.connect',
      'def init_grpc(**kwargs):',
      '    global stub',
      '    stub = BillingStub(grpc.insecure_channel("billing:50051"))',
    ].join('\n'),
    fixes:
      'Create it lazily in each worker process: the binding becomes an accessor keyed on `os.getpid()` and its ' +
      'uses call it. Or create it in the runner\'s per-worker hook: the names are bound to `None` and an ' +
      '`init_<name>()` function makes the client, connected to Celery\'s `worker_process_init` signal, decorated ' +
      'with uWSGI\'s `@postfork`, or called from `post_fork(server, worker)` in the gunicorn configuration file ' +
      'that was found (the fix edits that file too; it is a quick fix only, never part of "fix all"). The hook ' +
      'fix is offered when only functions read the client, import time never calls them, nothing rebinds the ' +
      'names and no other module imports them. By hand: turn off preloading (`preload_app = False`, `lazy-apps = true`).',
    fixSafety:
      'Unsafe: the channel is then made on first use in each worker, not at import (its connection errors show up ' +
      'later); with the hook fix, a process that never runs the hook (a Celery pool that does not fork, a script ' +
      'that imports the module) sees `None`.',
    options:
      'The runners are read from the module\'s folder and every folder above it up to the project root (the ' +
      'nearest folder with `pyproject.toml`, `setup.cfg`, `setup.py` or `.git`): `gunicorn.conf.py`, ' +
      '`Procfile`, `Dockerfile`, `docker-compose.yml` / `compose.yaml`, `uwsgi.ini`. When the configuration names ' +
      'the app module (`gunicorn app.wsgi:application`, `wsgi_app = ...`, `module = ...`), that module and the ' +
      'modules it imports are checked; when it names none, every module of the project that is not a script ' +
      '(no `if __name__ == "__main__":` block) or a test is. A Celery app that sets a pool which does not fork ' +
      '(`worker_pool = "threads"`, `"solo"`, `"gevent"`, `"eventlet"`) is not reported.',
    references: [
      'https://github.com/grpc/grpc/blob/master/doc/fork_support.md',
      'https://docs.gunicorn.org/en/stable/settings.html#preload-app',
      'https://docs.celeryq.dev/en/stable/userguide/signals.html#worker-process-init',
    ],
  },
  check(context) {
    const path = context.file.path;
    // Whatever a runner's import of this module makes, its own top level makes too: without an
    // import-time object here there is nothing to find, and no runner's program to walk.
    if (importTimeObjects(context.timeline).every((o) => ownerSite(o).path !== path)) return;
    const own = codeRunnerOf(context.timeline, path, context.file.tree.rootNode);
    if (own) reportObjects(context, context.timeline, codeRelated(own, 'this module'));
    for (const fact of context.runners.facts) {
      if (fact.appModule === undefined) {
        if (fact.runner === 'gunicorn' || fact.runner === 'uwsgi') {
          if (couldBeApp(context, fact)) reportObjects(context, context.timeline, factRelated(fact));
        }
        continue;
      }
      if (fact.appModule === path && (own || fact.runner === 'celery' || fact.runner === 'functions-framework')) continue;
      const program = context.runners.programOf(fact.appModule);
      if (!program) continue;
      if (fact.runner === 'celery' || fact.runner === 'functions-framework') {
        // A module whose code runs a runner (found by the workspace's quick text scan): confirm it.
        const runner = codeRunnerOf(program.timeline, fact.appModule, program.file.tree.rootNode);
        if (runner) reportObjects(context, program.timeline, codeRelated(runner, 'a module that imports this one'));
        continue;
      }
      reportObjects(context, program.timeline, factRelated(fact));
    }
  },
});

interface Why {
  runner: string;
  related: { site: Site; message: string } | ExternalRelated;
  /** The runner's per-worker hook that a fix can make the client in. */
  hook?: RunnerHook;
}

function codeRelated(runner: CodeRunner, where: string): Why {
  const message = runner.runner === 'celery'
    ? `The Celery worker imports ${where} and then forks its prefork pool (the default) here.`
    : `The Functions Framework imports ${where} and then forks its workers.`;
  return { runner: RUNNER_NAMES[runner.runner], related: { site: runner.site, message }, hook: runner.runner === 'celery' ? { runner: 'celery' } : undefined };
}

function factRelated(fact: RunnerFact): Why {
  return {
    runner: `${RUNNER_NAMES[fact.runner]} (${fact.how})`,
    related: {
      path: fact.configPath,
      range: { start: { line: fact.line, character: 0 }, end: { line: fact.line + 1, character: 0 } },
      message: `${RUNNER_NAMES[fact.runner]} loads the app here (${fact.how}) and then forks its workers.`,
    },
    hook: hookOf(fact),
  };
}

function hookOf(fact: RunnerFact): RunnerHook | undefined {
  switch (fact.runner) {
    case 'gunicorn': return { runner: 'gunicorn', fact };
    case 'uwsgi': return { runner: 'uwsgi' };
    case 'celery': return { runner: 'celery' };
    default: return undefined;
  }
}

/** Objects alive once the runner's module has been imported, reported in the module that makes them. */
function reportObjects(context: RuleContext, timeline: Timeline, why: Why): void {
  const alive = importTimeObjects(timeline);
  const anchors: Site[] = [];
  for (const found of alive) {
    if (found.base && alive.includes(found.base) && found.kind === 'stub') continue;
    // An unnamed channel (`Stub(grpc.insecure_channel(...))`) is named after its stub.
    const object = found.label.endsWith('(...)') ? alive.find((o) => o.base === found && !o.label.endsWith('(...)')) ?? found : found;
    const anchor = ownerSite(found);
    if (anchor.path !== context.file.path || anchors.some((a) => sameSite(a, anchor))) continue;
    anchors.push(anchor);
    context.report({
      at: anchor,
      message: `${describeObject(object)} is created at import time of a module that ${why.runner} loads before forking its workers; every worker inherits its threads and sockets: create it after the fork.`,
      related: [why.related],
      fixes: importTimeClientFixes(context.edits, found, anchor, why.hook, { timeline: context.timeline, importersUse: (name) => context.runners.importersUse(name) }),
    });
  }
}

/** Channels, stubs and clients alive once the module's top level has run; wrappers first, stubs last. */
function importTimeObjects(timeline: Timeline): GrpcObject[] {
  const end = timeline.events.find((e) => e.kind === 'importTimeEnd');
  if (end?.kind !== 'importTimeEnd') return [];
  return end.alive
    .filter((o) => KINDS.includes(o.kind) && !o.createdInChild)
    .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
}

/**
 * Where the object is made in the module whose top level makes it: after the last import on its
 * chain (`import clients` leads into clients.py), the first call of that module's top level.
 */
function ownerSite(object: GrpcObject): Site {
  const path = [...object.chain, object.creation];
  let start = 0;
  path.forEach((site, index) => {
    if (IMPORTS.includes(site.node.type)) start = index + 1;
  });
  return path[Math.min(start, path.length - 1)];
}

/** With no app module named, any module of the project that is not a script or a test. */
function couldBeApp(context: RuleContext, fact: RunnerFact): boolean {
  // The path inside the project: the configuration file sits in the project root.
  const root = fact.configPath.replace(/[^\\/]*$/, '');
  const inProject = context.file.path.startsWith(root) ? context.file.path.slice(root.length) : context.file.path;
  const name = inProject.split(/[\\/]/).pop() ?? '';
  if (/^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name) || /(^|[\\/])tests?[\\/]/.test(inProject)) return false;
  return !namedChildren(context.file.tree.rootNode).some(isMainGuard);
}
