// Notebooks in the engine: an .ipynb's Python code cells become one program in cell order, IPython
// syntax is blanked without moving any line, and program positions map to (cell, line, column).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { mergeConfig } from '../../server/src/engine/config';
import { cellLines, editsByCell, findingsInCells } from '../../server/src/engine/notebook/cellFindings';
import { cellProgram, fromCellPosition, toCellPosition, toCellRange } from '../../server/src/engine/notebook/cellProgram';
import { blankIPythonSyntax } from '../../server/src/engine/notebook/ipythonSyntax';
import { pythonCodeCells, readNotebookJson } from '../../server/src/engine/notebook/notebookJson';
import { programOfNotebook } from '../../server/src/engine/notebook/notebookInput';
import { withCellSources } from '../../server/src/engine/notebook/notebookSource';
import { fixturesDir, grammarDir } from '../support/paths';

const fixture = path.join(fixturesDir, 'notebooks', 'pubsub_pool.ipynb');
const notebook = (cells: { cell_type: string; source: string | string[] }[], metadata: object = {}) =>
  JSON.stringify({ cells: cells.map((c) => ({ metadata: {}, ...c })), metadata, nbformat: 4, nbformat_minor: 5 }, null, 1);

describe('notebook cells as one program', () => {
  test('joins the code cells in order, skipping markdown and raw cells, keeping every line', () => {
    const read = readNotebookJson(notebook([
      { cell_type: 'markdown', source: '# Title' },
      { cell_type: 'code', source: ['import grpc\n', 'x = 1'] },
      { cell_type: 'raw', source: 'raw text' },
      { cell_type: 'code', source: 'def f():\n    return x\n' },
    ]));
    assert.ok(!('problem' in read));
    const program = cellProgram(pythonCodeCells(read).map((c) => ({ cell: c.index, source: c.source })));
    assert.equal(program.text, 'import grpc\nx = 1\ndef f():\n    return x\n');
    assert.deepEqual(program.spans.map((s) => [s.cell, s.firstLine, s.lineCount]), [[1, 0, 2], [3, 2, 3]]);
    assert.deepEqual(toCellPosition(program.spans, { line: 3, character: 11 }), { cell: 3, line: 1, character: 11 });
    assert.deepEqual(fromCellPosition(program.spans, 3, { line: 1, character: 11 }), { line: 3, character: 11 });
    assert.equal(fromCellPosition(program.spans, 0, { line: 0, character: 0 }), undefined, 'a markdown cell has no program position');
    // A range that runs into the next cell ends at the end of its own cell.
    assert.deepEqual(toCellRange(program.spans, { start: { line: 1, character: 0 }, end: { line: 2, character: 3 } }), { cell: 1, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } } });
  });

  test('blanks line magics, cell magics, shell escapes and help, not Python that looks like them', () => {
    const cell = [
      '%matplotlib inline',
      '!pip install grpcio',
      'files = !ls *.csv',
      'obj?',
      '?obj',
      'for f in files:',
      '    %time load(f)',
      'total = (a',
      '  % b)',
      'text = """',
      '%(name)s',
      '"""',
      'ok = x != 3',
    ].join('\n');
    const { lines, blanked } = blankIPythonSyntax(cell);
    assert.equal(lines.length, 13, 'no line is added or removed');
    assert.deepEqual(lines.slice(0, 7), ['', '', 'files = None', '', '', 'for f in files:', '    pass']);
    assert.deepEqual(lines.slice(7), ['total = (a', '  % b)', 'text = """', '%(name)s', '"""', 'ok = x != 3']);
    assert.deepEqual(blanked, [0, 1, 2, 3, 4, 6]);
  });

  test('a cell magic blanks its cell, except the magics whose body is Python', () => {
    assert.deepEqual(blankIPythonSyntax('%%bash\necho hi\nls').lines, ['', '', '']);
    assert.deepEqual(blankIPythonSyntax('%%time\nimport grpc\nc = grpc.insecure_channel("x")').lines, ['', 'import grpc', 'c = grpc.insecure_channel("x")']);
  });

  test('a notebook whose kernel is not Python, or a cell in another language, is not analysed', () => {
    const r = readNotebookJson(notebook([{ cell_type: 'code', source: 'library(x)' }], { kernelspec: { language: 'R' } }));
    assert.ok(!('problem' in r));
    assert.deepEqual(pythonCodeCells(r), []);
    const mixed = readNotebookJson(JSON.stringify({ cells: [{ cell_type: 'code', source: 'SELECT 1', metadata: { vscode: { languageId: 'sql' } } }, { cell_type: 'code', source: 'x = 1' }] }));
    assert.ok(!('problem' in mixed));
    assert.deepEqual(pythonCodeCells(mixed).map((c) => c.index), [1]);
  });

  test('malformed JSON or a file that is not a notebook gives a GF000 notice, never an exception', () => {
    for (const [text, words] of [
      ['{"cells": [', /not valid JSON/],
      ['[1, 2]', /not an object/],
      ['{"metadata": {}}', /no "cells" list/],
      ['{"worksheets": []}', /nbformat 3/],
      ['{"cells": [{"cell_type": "code", "source": 3}]}', /cell 1 .*"source"/],
      ['{"cells": [{"cell_type": "widget", "source": ""}]}', /unknown cell_type/],
      ['{"cells": [null]}', /cell 1 .*not a JSON object/],
    ] as const) {
      const input = programOfNotebook(text);
      assert.ok('notice' in input, text);
      assert.equal(input.notice.code, 'GF000');
      assert.match(input.notice.message, words);
    }
  });

  test('messages name program lines as cell and line; code in backticks is left alone', () => {
    const program = cellProgram([{ cell: 0, source: 'a\nb' }, { cell: 2, source: 'c\nd\ne' }]);
    assert.equal(cellLines(program.spans, 'made at line 4, forked at line 1 (`line 4`)'), 'made at cell 3, line 2, forked at cell 1, line 1 (`line 4`)');
  });

  test('fix edits are placed in cells; one across cells or on a magic line is refused', () => {
    const program = cellProgram([{ cell: 1, source: 'import os\n!ls' }, { cell: 2, source: 'x = 1' }]);
    const edit = (sl: number, sc: number, el: number, ec: number, newText = 'y') => ({ range: { start: { line: sl, character: sc }, end: { line: el, character: ec } }, newText });
    assert.deepEqual([...editsByCell(program.spans, [edit(2, 0, 2, 1)])!], [[2, [edit(0, 0, 0, 1)]]]);
    assert.equal(editsByCell(program.spans, [edit(1, 0, 2, 0)]), undefined, 'across two cells');
    assert.equal(editsByCell(program.spans, [edit(1, 0, 1, 3)]), undefined, 'on the blanked `!ls` line');
    assert.ok(editsByCell(program.spans, [edit(1, 0, 1, 0, 'import grpc\n')]), 'an insertion before a magic line keeps it');
  });

  test('new cell sources are written into the JSON text, everything else byte for byte', () => {
    const text = fs.readFileSync(fixture, 'utf8');
    const updated = withCellSources(text, new Map([[3, 'publisher = None\n']]))!;
    const before = JSON.parse(text);
    const after = JSON.parse(updated);
    assert.deepEqual(after.cells[3].source, ['publisher = None\n']);
    after.cells[3].source = before.cells[3].source;
    assert.deepEqual(after, before, 'only that cell changed');
    assert.equal(updated.split('\n').filter((l) => !text.includes(l)).length, 1, 'one new line; the rest as it was');
    assert.equal(withCellSources('{"cells": [', new Map([[0, 'x']])), undefined);
  });

  test('the real notebook shape: a Pub/Sub client made in one cell and used by a Pool in another', async () => {
    const input = programOfNotebook(fs.readFileSync(fixture, 'utf8'));
    assert.ok('program' in input);
    const analyzer = await Analyzer.create(grammarDir);
    const { findings, tree } = analyzer.analyze(fixture, input.program.text, mergeConfig({}, {}));
    tree?.delete();
    const inCells = findingsInCells(input.program.spans, findings);
    assert.deepEqual(inCells.map((f) => `${f.code}@cell${f.cell}:${f.range.start.line}:${f.range.start.character}`), ['GF101@cell3:0:12', 'GF102@cell5:1:11']);
    assert.match(inCells[0].message, /fork at cell 7, line 2 \(`mp\.Pool\(\.\.\.\)`\)/);
    assert.deepEqual(inCells[0].related.map((r) => [r.cell, r.range.start.line]), [[6, 1]]);
  });

  test('hostile input stays a notice or a refusal, never an exception', () => {
    const deep = `{"cells": [${'['.repeat(200_000)}${']'.repeat(200_000)}]}`;
    const input = programOfNotebook(deep);
    assert.ok('notice' in input && /cell 1 .*not a JSON object/.test(input.notice.message));
    assert.equal(withCellSources(deep, new Map([[0, 'x']])), undefined, 'the JSON scanner refuses what it cannot place');
    const quotes = blankIPythonSyntax(`${'"\\'.repeat(300_000)}\n%time x`);
    assert.equal(quotes.lines.length, 2);
    const brackets = blankIPythonSyntax(`${'('.repeat(300_000)}\n!ls`);
    assert.deepEqual(brackets.blanked, [], 'inside brackets `!ls` is not an escape');
  });
});
