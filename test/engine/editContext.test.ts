// The per-file edit context every fix is built with (fixes/editContext.ts): the facts it reads from
// the file, and where an added import goes (isort's and Ruff's sections: __future__, standard
// library, third party, first party; sorted inside a section, `import x` before `from x import y`).
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { EditContext } from '../../server/src/engine/fixes/editContext';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function context(text: string): EditContext {
  return new EditContext({ path: '/project/app.py', text, tree: analyzer.parse(text) });
}

function withImport(text: string, module: string): string {
  const edits = context(text).ensureModuleImport(module).edits;
  return applyEdits(text, edits);
}

describe('the file facts, read once', () => {
  test('end of line, indentation unit, line length limit and header end', () => {
    const text = '#!/usr/bin/env python3\r\n# -*- coding: utf-8 -*-\r\nimport os\r\n\r\n\r\ndef f():\r\n  return os.getpid()  # two-space indentation, and this line is long enough to pass 79\r\n';
    const edits = context(text);
    assert.equal(edits.eol, '\r\n');
    assert.equal(edits.indentUnit, '  ');
    assert.equal(edits.lineLimit, text.split('\r\n')[6].length);
    assert.equal(edits.headerEnd, 2);
  });

  test('the import block knows each import\'s section', () => {
    const text = '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nfrom concurrent import futures\n\nimport grpc\n\nfrom . import models\n\nx = 1\nimport late\n';
    const sections = context(text).imports.imports.map((i) => `${i.module}:${i.section}`);
    assert.deepEqual(sections, ['__future__:future', 'os:stdlib', 'concurrent:stdlib', 'grpc:thirdParty', '.:firstParty']);
  });
});

describe('an added import goes into its own section, in sorted position', () => {
  test('a standard-library module joins the standard library, not the third-party group after it', () => {
    assert.equal(withImport('import multiprocessing\nimport sys\n\nimport grpc\n', 'os'), 'import multiprocessing\nimport os\nimport sys\n\nimport grpc\n');
  });

  test('with only third-party imports, the standard library opens its own section before them', () => {
    assert.equal(withImport('import grpc\nfrom celery import Celery\n\napp = Celery()\n', 'os'), 'import os\n\nimport grpc\nfrom celery import Celery\n\napp = Celery()\n');
  });

  test('plain imports come before `from` imports of the same section', () => {
    assert.equal(withImport('from concurrent import futures\n\nimport grpc\n', 'os'), 'import os\nfrom concurrent import futures\n\nimport grpc\n');
  });

  test('after the docstring and `from __future__` when the file has no other import', () => {
    assert.equal(withImport('"""Doc."""\nfrom __future__ import annotations\n\nx = 1\n', 'os'), '"""Doc."""\nfrom __future__ import annotations\n\nimport os\n\nx = 1\n');
  });

  test('a third-party `from` import goes after the standard library, in a section of its own', () => {
    const text = 'import os\n\nx = os.getpid()\n';
    const edits = context(text).ensureFromImport('celery.signals', 'worker_process_init').edits;
    assert.equal(applyEdits(text, edits), 'import os\n\nfrom celery.signals import worker_process_init\n\nx = os.getpid()\n');
  });

  test('an import already there is reused under its alias', () => {
    const result = context('import multiprocessing as mp\n').ensureModuleImport('multiprocessing');
    assert.deepEqual(result, { name: 'mp', edits: [] });
  });
});
