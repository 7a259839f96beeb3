// GF104's runner-hook fixes: a module's import-time client made instead in the runner's own
// per-worker hook (Celery `worker_process_init`, uWSGI `@postfork`, gunicorn `post_fork` in the
// configuration file). Each case checks the exact fixed text of every file the fix edits, that the
// finding is gone, and when the hook is not offered (a read at import time, a rebinding).
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding, Fix } from '../../server/src/engine/findings';
import { applyEdits, chosenFix } from '../../server/src/engine/fixes/fixAll';
import type { ModuleResolver } from '../../server/src/engine/model/imports';
import type { RunnerFact } from '../../server/src/engine/model/runners';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const MODULE = '/project/app.py';
const CONFIG = '/project/gunicorn.conf.py';

function findings(text: string, runners: RunnerFact[] = [], resolver?: ModuleResolver): Finding[] {
  return analyzer.analyze(MODULE, text, defaultConfig(), { runners, resolver }).findings;
}

function hookFix(text: string, runners: RunnerFact[] = [], resolver?: ModuleResolver) {
  const finding = findings(text, runners, resolver).find((f) => f.code === 'GF104');
  assert.ok(finding, 'GF104 is not reported');
  return { finding, fix: finding.fixes.find((f) => f.kind === 'runnerHook') };
}

const lines = (...l: string[]) => l.join('\n');

const CELERY = lines(
  '"""Billing tasks."""',
  'import os',
  '',
  'import grpc',
  'from celery import Celery',
  '',
  'from billing_pb2_grpc import BillingStub',
  '',
  'app = Celery("billing")',
  'channel = grpc.insecure_channel(os.environ["BILLING"])',
  'stub = BillingStub(channel)',
  '',
  '',
  '@app.task',
  'def charge(customer_id):',
  '    return stub.Charge(customer_id)',
  '',
);

const APP = lines(
  '"""Web app."""',
  'import os',
  '',
  'import grpc',
  '',
  'channel = grpc.insecure_channel(os.environ["T"])',
  'echo = channel.unary_unary("/gf.Echo/Echo")',
  '',
  '',
  'def application(environ, start_response):',
  '    return [echo(b"x")]',
  '',
);

/** The module after a hook fix: the names bound to None, and `decorator` on the init function. */
function appWithHook(imports: string[], decorator: string[]): string {
  return lines(
    '"""Web app."""',
    'import os',
    '',
    'import grpc',
    ...imports,
    '',
    '# Made in each worker process by init_echo(): a channel must not cross fork().',
    'channel = None',
    'echo = None',
    '',
    '',
    ...decorator,
    '    """Make the gRPC client in each worker process, after the fork."""',
    '    global channel, echo',
    '    channel = grpc.insecure_channel(os.environ["T"])',
    '    echo = channel.unary_unary("/gf.Echo/Echo")',
    '',
    '',
    'def application(environ, start_response):',
    '    return [echo(b"x")]',
    '',
  );
}

function gunicorn(configText: string | undefined): RunnerFact {
  return { runner: 'gunicorn', how: '`preload_app = True` in gunicorn.conf.py', configPath: CONFIG, line: 0, appModule: MODULE, configText };
}

/** Applies the fix to the module (and checks GF104 is gone); returns the other files' texts. */
function applyHook(text: string, expected: string, runners: RunnerFact[]): Fix {
  const { fix } = hookFix(text, runners);
  assert.ok(fix, 'the hook fix is not offered');
  assert.equal(fix.applicability, 'unsafe');
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, expected);
  assert.equal(analyzer.parse(fixed).rootNode.hasError, false);
  assert.deepEqual(findings(fixed, runners).filter((f) => f.code === 'GF104').map((f) => f.message), []);
  return fix;
}

describe('Celery: worker_process_init', () => {
  test('imports the signal beside the celery import and connects the init function', () => {
    const fix = applyHook(CELERY, lines(
      '"""Billing tasks."""',
      'import os',
      '',
      'import grpc',
      'from celery import Celery',
      'from celery.signals import worker_process_init',
      '',
      'from billing_pb2_grpc import BillingStub',
      '',
      'app = Celery("billing")',
      '# Made in each worker process by init_stub(): a channel must not cross fork().',
      'channel = None',
      'stub = None',
      '',
      '',
      '@worker_process_init.connect',
      'def init_stub(**kwargs):',
      '    """Make the gRPC client in each worker process, after the fork."""',
      '    global channel, stub',
      '    channel = grpc.insecure_channel(os.environ["BILLING"])',
      '    stub = BillingStub(channel)',
      '',
      '',
      '@app.task',
      'def charge(customer_id):',
      '    return stub.Charge(customer_id)',
      '',
    ), []);
    assert.equal(fix.title, 'Create `stub` in each worker process (Celery `worker_process_init`)');
    assert.equal(fix.otherFiles, undefined);
  });

  test('is not offered when import time reads the client (the hook has not run yet)', () => {
    const text = `${CELERY}\n\ndef check():\n    return stub.Check(None)\n\n\nHEALTH = check()\n`;
    const { finding, fix } = hookFix(text);
    assert.equal(fix, undefined);
    assert.ok(finding.fixes.some((f) => f.kind === 'perProcessAccessor'), `the accessor is not offered: ${finding.fixes.map((f) => f.title).join(' | ')}\n${text}`);
  });

  test('is not offered when another function rebinds the name', () => {
    const { fix } = hookFix(`${CELERY}\n\ndef reset():\n    global stub\n    stub = None\n`);
    assert.equal(fix, undefined);
  });

  test('is not offered when another module imports the name (its copy would stay None)', () => {
    const resolver: ModuleResolver = { resolve: () => undefined, load: () => undefined, usedByImporters: (_path, name) => name === 'stub' };
    assert.equal(hookFix(CELERY, [], resolver).fix, undefined);
  });
});

test('uWSGI: @postfork from uwsgidecorators', () => {
  const uwsgi: RunnerFact = { runner: 'uwsgi', how: 'uwsgi.ini', configPath: '/project/uwsgi.ini', line: 0, appModule: MODULE };
  const fix = applyHook(APP, appWithHook(['from uwsgidecorators import postfork'], ['@postfork', 'def init_echo():']), [uwsgi]);
  assert.equal(fix.title, 'Create `echo` in each worker process (uWSGI `@postfork`)');
});

describe('gunicorn: post_fork in the configuration file', () => {
  const MODULE_FIXED = appWithHook([], ['def init_echo():']);

  test('adds post_fork(server, worker) at the end of a configuration that has none', () => {
    const fix = applyHook(APP, MODULE_FIXED, [gunicorn('workers = 2\npreload_app = True\n')]);
    assert.equal(fix.title, 'Create `echo` in each worker process (gunicorn `post_fork` in gunicorn.conf.py)');
    assert.equal(fix.otherFiles?.length, 1);
    assert.equal(fix.otherFiles[0].path, CONFIG);
    assert.equal(applyEdits('workers = 2\npreload_app = True\n', fix.otherFiles[0].edits),
      'workers = 2\npreload_app = True\n\n\ndef post_fork(server, worker):\n    from app import init_echo\n    init_echo()\n');
  });

  test('appends the call to an existing post_fork, before its return', () => {
    const config = 'preload_app = True\n\n\ndef post_fork(server, worker):\n    server.log.info("spawned %s", worker.pid)\n    return None\n\n\ndef when_ready(server):\n    pass\n';
    const fix = applyHook(APP, MODULE_FIXED, [gunicorn(config)]);
    assert.equal(applyEdits(config, fix.otherFiles![0].edits),
      'preload_app = True\n\n\ndef post_fork(server, worker):\n    server.log.info("spawned %s", worker.pid)\n    from app import init_echo\n    init_echo()\n    return None\n\n\ndef when_ready(server):\n    pass\n');
  });

  test('imports the module by its dotted name from the configuration\'s folder', () => {
    const fact = { ...gunicorn('preload_app = True\n'), configPath: '/srv/gunicorn.conf.py' };
    const text = APP;
    const finding = analyzer.analyze('/srv/shop/web/app.py', text, defaultConfig(), { runners: [{ ...fact, appModule: '/srv/shop/web/app.py' }] }).findings.find((f) => f.code === 'GF104');
    const fix = finding?.fixes.find((f) => f.otherFiles);
    assert.ok(fix);
    assert.match(fix.otherFiles![0].edits[0].newText, /from shop\.web\.app import init_echo/);
  });

  test('is not offered without the configuration file\'s text (`--preload` on a command line)', () => {
    const { finding, fix } = hookFix(APP, [{ ...gunicorn(undefined), configPath: '/project/Procfile' }]);
    assert.equal(fix, undefined);
    assert.ok(finding.fixes.some((f) => f.kind === 'perProcessAccessor'));
  });

  test('fix-all never picks a fix that edits another file', () => {
    const { finding } = hookFix(APP, [gunicorn('preload_app = True\n')]);
    const hookOnly = { ...finding, fixes: finding.fixes.filter((f) => f.otherFiles) };
    assert.equal(hookOnly.fixes.length, 1);
    assert.equal(chosenFix(hookOnly, { unsafe: true }), undefined);
  });
});
