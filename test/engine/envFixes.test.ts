// The environment-variable fixes (GF301's move, GF302/GF303's "Set GRPC_POLL_STRATEGY to poll",
// and the edits behind GF101's "Enable gRPC fork support"): each case applies the edits, compares
// the exact text, re-parses it, checks that the finding is gone, and that a second round changes
// nothing.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig, EngineConfig } from '../../server/src/engine/config';
import type { Finding, Fix, FixKind, RuleCode } from '../../server/src/engine/findings';
import { EditContext } from '../../server/src/engine/fixes/editContext';
import { enableForkSupportEdits } from '../../server/src/engine/fixes/enableForkSupport';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { buildTimeline } from '../../server/src/engine/model/executionOrder';
import { relevanceTest } from '../../server/src/engine/relevance';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const PATH = '/project/app.py';

function findings(text: string, config: EngineConfig = defaultConfig()): Finding[] {
  const tree = analyzer.parse(text);
  assert.equal(tree.rootNode.hasError, false, `the text does not parse:\n${text}`);
  return analyzer.analyze(PATH, text, config).findings;
}

function codeFindings(text: string, code: RuleCode, config?: EngineConfig): Finding[] {
  return findings(text, config).filter((f) => f.code === code);
}

function fixOf(finding: Finding, kind: FixKind): Fix | undefined {
  return finding.fixes.find((fix) => fix.kind === kind);
}

/** Applies the fix of that kind of the first `code` finding, checks the result, and that nothing is left to do. */
function applyFix(text: string, code: RuleCode, kind: FixKind, expected: string, config?: EngineConfig): Fix {
  const [finding] = codeFindings(text, code, config);
  assert.ok(finding, `no ${code} finding in:\n${text}`);
  const fix = fixOf(finding, kind);
  assert.ok(fix, `${code} has no ${kind} fix; it has: ${finding.fixes.map((f) => f.kind).join(', ')}`);
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, expected);
  assert.deepEqual(codeFindings(fixed, code, config).map((f) => `${f.range.start.line + 1}: ${f.message}`), []);
  // A second round: no finding, so no fix; the text stays as it is.
  const again = codeFindings(fixed, code, config).flatMap((f) => f.fixes.filter((x) => x.kind === kind));
  assert.equal(applyEdits(fixed, again.flatMap((f) => f.edits)), fixed);
  return fix;
}

function crlf(text: string): string {
  return text.replace(/\n/g, '\r\n');
}

// The moved writes keep their form and comments; the imports after them get `# noqa: E402` (flake8 then reports nothing new).
describe('Move the environment settings above `import grpc` (GF301)', () => {
  test('after the docstring and __future__ import, reusing the earlier `import os`', () => {
    const text = [
      '"""Batch jobs."""',
      'from __future__ import annotations',
      '',
      'import os',
      'import sys',
      '',
      'import grpc',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
      'os.environ["GRPC_POLL_STRATEGY"] = "poll"',
      '',
      '',
      'def main():',
      '    return grpc.insecure_channel(sys.argv[1])',
      '',
    ].join('\n');
    const expected = [
      '"""Batch jobs."""',
      'from __future__ import annotations',
      '',
      'import os',
      'import sys',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
      'os.environ["GRPC_POLL_STRATEGY"] = "poll"',
      'import grpc  # noqa: E402',
      '',
      '',
      'def main():',
      '    return grpc.insecure_channel(sys.argv[1])',
      '',
    ].join('\n');
    const fix = applyFix(text, 'GF301', 'moveEnvSettings', expected);
    assert.equal(fix.applicability, 'unsafe');
  });

  test('a later `import os` moves up with the settings instead of being duplicated', () => {
    const text = [
      'import grpc',
      'import os',
      '',
      'os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "1")  # turn on fork support',
      '',
    ].join('\n');
    const expected = [
      'import os',
      'os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "1")  # turn on fork support',
      'import grpc  # noqa: E402',
      '',
    ].join('\n');
    applyFix(text, 'GF301', 'moveEnvSettings', expected);
    assert.equal((expected.match(/import os/g) ?? []).length, 1);
  });

  test('a later `import os, sys` stays and a plain `import os` is added', () => {
    const text = 'import grpc\nimport os, sys\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nprint(sys.argv)\n';
    const expected = 'import os\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nimport grpc  # noqa: E402\nimport os, sys  # noqa: E402\n\nprint(sys.argv)\n';
    applyFix(text, 'GF301', 'moveEnvSettings', expected);
  });

  test('CRLF line endings are kept', () => {
    const text = crlf('"""Doc."""\nimport os\n\nimport grpc\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\n\nprint(grpc)\n');
    const expected = crlf('"""Doc."""\nimport os\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nimport grpc  # noqa: E402\n\nprint(grpc)\n');
    applyFix(text, 'GF301', 'moveEnvSettings', expected);
    assert.equal(/[^\r]\n/.test(expected), false);
  });

  test('a grpc import inside try/except: the settings go before the try statement', () => {
    const text = [
      'import os',
      '',
      'try:',
      '    import grpc',
      'except ImportError:',
      '    grpc = None',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
    ].join('\n');
    const expected = [
      'import os',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
      'try:',
      '    import grpc',
      'except ImportError:',
      '    grpc = None',
    ].join('\n');
    applyFix(text, 'GF301', 'moveEnvSettings', expected);
  });

  test('GRPC_POLL_STRATEGY written after the first channel moves above the import that loads grpc', () => {
    const text = 'import os\nimport grpc\n\nchannel = grpc.insecure_channel("localhost:50051")\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nprint(channel)\n';
    const expected = 'import os\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nimport grpc  # noqa: E402\n\nchannel = grpc.insecure_channel("localhost:50051")\nprint(channel)\n';
    applyFix(text, 'GF301', 'moveEnvSettings', expected);
  });

  test('no move is offered for a write inside a function or one that reads other names', () => {
    const inFunction = 'import os\nimport grpc\n\n\ndef configure():\n    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n    os.environ["GRPC_POLL_STRATEGY"] = "poll"\n';
    const [finding] = codeFindings(inFunction, 'GF301');
    assert.ok(finding);
    assert.equal(fixOf(finding, 'moveEnvSettings'), undefined);
    const readsName = 'import os\nimport grpc\nFLAG = "true"\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = FLAG\n';
    const [other] = codeFindings(readsName, 'GF301');
    assert.ok(other);
    assert.equal(fixOf(other, 'moveEnvSettings'), undefined);
  });
});

describe('Set GRPC_POLL_STRATEGY to poll (GF302, GF303)', () => {
  test('GF303: rewrites an invalid literal, keeping its quotes; safe', () => {
    const text = "import os\n\nos.environ.setdefault('GRPC_POLL_STRATEGY', 'epoll')\n\nimport grpc  # noqa: E402\n";
    const expected = "import os\n\nos.environ.setdefault('GRPC_POLL_STRATEGY', 'poll')\n\nimport grpc  # noqa: E402\n";
    const fix = applyFix(text, 'GF303', 'setPollStrategy', expected);
    assert.equal(fix.applicability, 'safe');
  });

  test('GF303: a constant used only by the write is changed where it is defined (not left dead)', () => {
    const text = 'import os\nSTRATEGY = "kqueue"\nos.environ["GRPC_POLL_STRATEGY"] = STRATEGY\n';
    const expected = 'import os\nSTRATEGY = "poll"\nos.environ["GRPC_POLL_STRATEGY"] = STRATEGY\n';
    applyFix(text, 'GF303', 'setPollStrategy', expected);
  });

  test('GF303: a constant used elsewhere too keeps its value; the write gets the literal', () => {
    const text = 'import os\nSTRATEGY = "kqueue"\nos.environ["GRPC_POLL_STRATEGY"] = STRATEGY\nprint(STRATEGY)\n';
    const expected = 'import os\nSTRATEGY = "kqueue"\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nprint(STRATEGY)\n';
    applyFix(text, 'GF303', 'setPollStrategy', expected);
  });

  test('GF302: rewrites "none" in a multi-line update({...}); safe', () => {
    const text = 'import os\n\nos.environ.update(\n    {\n        "GRPC_ENABLE_FORK_SUPPORT": "1",\n        "GRPC_POLL_STRATEGY": "none",\n    }\n)\n';
    const expected = 'import os\n\nos.environ.update(\n    {\n        "GRPC_ENABLE_FORK_SUPPORT": "1",\n        "GRPC_POLL_STRATEGY": "poll",\n    }\n)\n';
    const fix = applyFix(text, 'GF302', 'setPollStrategy', expected);
    assert.equal(fix.applicability, 'safe');
  });

  test('GF302 (information): inserts the strategy after the fork-support write, indented, CRLF; unsafe', () => {
    const text = crlf('import os\n\n\ndef setup():\n    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"  # fork support\n    import grpc\n    return grpc\n\n\nsetup()\n');
    const expected = crlf('import os\n\n\ndef setup():\n    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"  # fork support\n    os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")\n    import grpc\n    return grpc\n\n\nsetup()\n');
    const [finding] = codeFindings(text, 'GF302');
    assert.equal(finding.severity, 'information');
    const fix = applyFix(text, 'GF302', 'setPollStrategy', expected);
    assert.equal(fix.applicability, 'unsafe');
  });

  test('GF302 (information): `from os import environ` and os.putenv reach os.environ their own way', () => {
    const fromImport = "from os import environ\n\nenviron['GRPC_ENABLE_FORK_SUPPORT'] = 'yes'\n\nimport grpc  # noqa: E402\n";
    applyFix(fromImport, 'GF302', 'setPollStrategy',
      "from os import environ\n\nenviron['GRPC_ENABLE_FORK_SUPPORT'] = 'yes'\nenviron.setdefault('GRPC_POLL_STRATEGY', 'poll')\n\nimport grpc  # noqa: E402\n");
    const putenv = 'import os\nos.putenv("GRPC_ENABLE_FORK_SUPPORT", "1")\nimport grpc  # noqa: E402\n';
    applyFix(putenv, 'GF302', 'setPollStrategy',
      'import os\nos.putenv("GRPC_ENABLE_FORK_SUPPORT", "1")\nos.environ.setdefault("GRPC_POLL_STRATEGY", "poll")\nimport grpc  # noqa: E402\n');
  });

  test('GF302 under assume-fork-support: the configured severity of the rule wins over the milder one', () => {
    const config = { ...defaultConfig(), assumeForkSupport: true, severity: { GF302: 'error' as const } };
    const [finding] = codeFindings('import os\nos.putenv("GRPC_POLL_STRATEGY", "none")\n', 'GF302', config);
    assert.equal(finding.severity, 'error');
  });
});

/** The settings as SPEC §3 has them; the imports after them get `# noqa: E402`. */
const SETDEFAULT = (os: string) => `${os}.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")\n${os}.environ.setdefault("GRPC_POLL_STRATEGY", "poll")\n`;

describe('Enable gRPC fork support edits (for GF101)', () => {
  function edits(text: string) {
    const tree = analyzer.parse(text);
    const file = { path: PATH, text, tree };
    const timeline = buildTimeline(file, { targetPython: [3, 9], targetPlatform: 'linux', channelFactories: [], canMatter: relevanceTest() });
    return enableForkSupportEdits(new EditContext(file), timeline);
  }

  function check(text: string, expected: string): void {
    const first = edits(text);
    assert.ok(first && first.length, 'no edits');
    const fixed = applyEdits(text, first);
    assert.equal(fixed, expected);
    assert.equal(analyzer.parse(fixed).rootNode.hasError, false);
    assert.deepEqual(edits(fixed), [], 'a second application must add nothing');
    assert.deepEqual(codeFindings(fixed, 'GF301'), []);
  }

  test('after the docstring and __future__ imports, adding `import os`', () => {
    check(
      '"""Workers."""\nfrom __future__ import annotations\n\nimport grpc\n\nchannel = grpc.insecure_channel("x:1")\n',
      `"""Workers."""\nfrom __future__ import annotations\n\nimport os\n\n${SETDEFAULT('os')}import grpc  # noqa: E402\n\nchannel = grpc.insecure_channel("x:1")\n`,
    );
  });

  test('reusing an earlier `import os as _os`', () => {
    check(
      'import os as _os\nfrom multiprocessing import Pool\nimport grpc\n',
      `import os as _os\nfrom multiprocessing import Pool\n${SETDEFAULT('_os')}import grpc  # noqa: E402\n`,
    );
  });

  test('a later `import os` moves up; CRLF', () => {
    check(
      crlf('import grpc\nimport os\n\nprint(os.getpid(), grpc)\n'),
      crlf(`import os\n${SETDEFAULT('os')}import grpc  # noqa: E402\n\nprint(os.getpid(), grpc)\n`),
    );
  });

  test('the imports after the settings get `# noqa: E402`: added to a noqa with other codes, on the first line of a parenthesized import', () => {
    check(
      'import os\n\nimport grpc  # noqa: F401\nfrom grpc_health.v1 import (\n    health_pb2,\n)\nimport models  # the app\n\nprint(health_pb2, models)\n',
      `import os\n\n${SETDEFAULT('os')}import grpc  # noqa: F401, E402\nfrom grpc_health.v1 import (  # noqa: E402\n    health_pb2,\n)\nimport models  # the app  # noqa: E402\n\nprint(health_pb2, models)\n`,
    );
  });

  test('a grpc import inside try/except', () => {
    check(
      'import os\ntry:\n    import grpc\nexcept ImportError:\n    grpc = None\n',
      'import os\nos.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")\nos.environ.setdefault("GRPC_POLL_STRATEGY", "poll")\ntry:\n    import grpc\nexcept ImportError:\n    grpc = None\n',
    );
  });

  test('only the missing setting is added; a late fork-support write does not count', () => {
    check(
      'import os\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nimport grpc\n',
      'import os\nos.environ["GRPC_POLL_STRATEGY"] = "poll"\nos.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")\nimport grpc\n',
    );
    const late = 'import os\nimport grpc\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n';
    assert.equal(applyEdits(late, edits(late)!),
      `import os\n${SETDEFAULT('os')}import grpc  # noqa: E402\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n`);
  });

  test('nothing to do when both are set in time, and no place when grpc is never loaded', () => {
    assert.deepEqual(edits('import os\nos.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "1")\nos.environ.setdefault("GRPC_POLL_STRATEGY", "poll")\nimport grpc\n'), []);
    assert.equal(edits('import os\nprint(os.getpid())\n'), undefined);
  });
});
