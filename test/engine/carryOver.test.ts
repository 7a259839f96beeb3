// Findings carried over an edit (engine/carryOver.ts) must be exactly what a full analysis of the
// edited text finds: checked by editing, in every fixture, the functions the carry-over trusts,
// and comparing. Then the cases it must refuse, and the bench's typing, which it must carry.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import type { CarryOverBasis } from '../../server/src/engine/carryOver';
import { EngineConfig, defaultConfig, mergeConfig } from '../../server/src/engine/config';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { fixtureConfig } from '../support/fixtureExpectations';
import { fixturesDir, grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

/** A full analysis with a basis for the next version. */
function analyse(file: string, text: string, config: EngineConfig): { findings: unknown; basis: CarryOverBasis } {
  const result = analyzer.analyze(file, text, config, { carryOver: {} });
  result.tree?.delete();
  assert.ok(result.basis, `no basis for ${file}`);
  return { findings: result.findings, basis: result.basis };
}

/** The edited text's findings carried from `basis`, or undefined when the carry-over refused. */
function carried(file: string, text: string, config: EngineConfig, basis: CarryOverBasis): unknown {
  const result = analyzer.analyze(file, text, config, { carryOver: { from: basis } });
  result.tree?.delete();
  return result.carried ? result.findings : undefined;
}

/** Edits inside a function's body: a character in its last statement, a new last line, a deleted character. */
function editsInside(text: string, start: number, end: number): string[] {
  const body = text.slice(start, end);
  const colon = body.indexOf(':\n');
  if (colon < 0) return [];
  const middle = start + colon + 2 + Math.floor((end - start - colon - 2) / 2);
  return [
    `${text.slice(0, end - 1)}q${text.slice(end - 1)}`,
    `${text.slice(0, end)}\n    extra_line = 1${text.slice(end)}`,
    `${text.slice(0, middle)}${text.slice(middle + 1)}`,
  ];
}

/**
 * Real code as well as ours: Debian's grpc package and the standard library's multiprocessing (both
 * installed by .ci/run), when present.
 */
const SYSTEM_CORPUS = ['/usr/lib/python3/dist-packages/grpc', '/usr/lib/python3.11/multiprocessing', '/usr/lib/python3.11/concurrent', '/usr/lib/python3.11/asyncio', '/usr/lib/python3.11/logging', '/usr/lib/python3.11/subprocess.py'];

test('carried findings equal a full analysis of the edited text, in the fixtures and real code', (t) => {
  let compared = 0;
  let carriedCount = 0;
  const files = [fixturesDir, ...SYSTEM_CORPUS.filter((dir) => fs.existsSync(dir))].flatMap((dir) => (dir.endsWith('.py') ? [dir] : listPythonFiles(dir, [])));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const config = mergeConfig(fixtureConfig(text));
    const { basis } = analyse(file, text, config);
    for (let i = 0; i < Math.min(basis.unwalked.length, 20); i += 2) {
      for (const edited of editsInside(text, basis.unwalked[i], basis.unwalked[i + 1])) {
        const fromBasis = carried(file, edited, config, basis);
        compared++;
        if (fromBasis === undefined) continue;
        carriedCount++;
        const full = analyzer.analyze(file, edited, config);
        full.tree?.delete();
        assert.deepEqual(fromBasis, full.findings, `${file}: carried findings differ after an edit in the function at offset ${basis.unwalked[i]}`);
      }
    }
  }
  t.diagnostic(`${carriedCount} of ${compared} edits carried over, each equal to a full analysis`);
  // The comparison is not vacuous.
  assert.ok(carriedCount >= 20, `only ${carriedCount} of ${compared} edits were carried`);
});

const QUIET_FUNCTION = 'def pad_helper(a, b):\n    total = a + b\n    return total\n\n';

test('in every fixture with findings, a quiet function added and edited carries findings equal to a full analysis', (t) => {
  let compared = 0;
  let carriedCount = 0;
  for (const file of listPythonFiles(fixturesDir, [])) {
    const original = fs.readFileSync(file, 'utf8');
    const config = mergeConfig(fixtureConfig(original));
    const words = [...new Set(original.match(/[A-Za-z_]\w*/g) ?? [])];
    // The quiet function at the end of the file, where it moves no finding, and before the last top-level statement.
    const lastTop = original.search(/\n[A-Za-z][^\n]*\n?$/);
    for (const at of [original.length, lastTop + 1].filter((i) => i > 0)) {
      const text = `${original.slice(0, at)}${at === original.length && !original.endsWith('\n') ? '\n' : ''}${QUIET_FUNCTION}${original.slice(at)}`;
      const { findings, basis } = analyse(file, text, config);
      if ((findings as unknown[]).length === 0) continue;
      const end = text.indexOf('    return total', at) + '    return total'.length;
      // Words of the file itself: the edits most likely to meet a name some fix or rule reads.
      for (const word of [words[0], words[Math.floor(words.length / 2)], words[words.length - 1]]) {
        for (const edited of [`${text.slice(0, end)} + ${word}${text.slice(end)}`, `${text.slice(0, end)}\n    ${word} = b${text.slice(end)}`]) {
          compared++;
          const fromBasis = carried(file, edited, config, basis);
          if (fromBasis === undefined) continue;
          carriedCount++;
          const full = analyzer.analyze(file, edited, config);
          full.tree?.delete();
          assert.deepEqual(fromBasis, full.findings, `${path.relative(fixturesDir, file)}: carried findings differ after adding ${word}`);
        }
      }
    }
  }
  t.diagnostic(`${carriedCount} of ${compared} edits carried over findings, each equal to a full analysis`);
  assert.ok(carriedCount >= 100, `only ${carriedCount} of ${compared} edits were carried`);
});

const PROGRAM = [
  'import multiprocessing as mp',
  'import grpc',
  'channel = grpc.insecure_channel("localhost:50051")',
  '',
  'def helper(request):',
  '    total = sum(request.items)',
  '    return {"total": total}',
  '',
  'def main():',
  '    with mp.Pool(4) as pool:',
  '        pool.map(helper, [])',
  '    channel.close()',
  '',
  'def quiet(x):',
  '    return x + 1',
  '',
  'main()',
  '',
].join('\n');

function editQuiet(replacement: string): string {
  return PROGRAM.replace('    return x + 1', replacement);
}

test('an edit inside a function nothing walks is carried over, and equals the full analysis', () => {
  const config = defaultConfig();
  const { findings, basis } = analyse('/p/m.py', PROGRAM, config);
  assert.ok((findings as unknown[]).length > 0, 'the program has findings to carry');
  for (const text of [editQuiet('    return x + 2'), editQuiet('    y = x * 3\n    return y'), editQuiet('    return "some text"')]) {
    const fromBasis = carried('/p/m.py', text, config, basis);
    assert.ok(fromBasis, `not carried: ${JSON.stringify(text.slice(text.indexOf('def quiet')))}`);
    assert.deepEqual(fromBasis, analyzer.analyze('/p/m.py', text, config).findings);
  }
});

test('offsets are UTF-16 positions: text before the function with characters outside ASCII', () => {
  const config = defaultConfig();
  const program = `# café ☕ 𝄞 naïve\n${PROGRAM}`;
  const { basis } = analyse('/p/u.py', program, config);
  const text = program.replace('    return x + 1', '    return x + 2  # ünïcode 𝄞');
  const fromBasis = carried('/p/u.py', text, config, basis);
  assert.ok(fromBasis, 'not carried');
  assert.deepEqual(fromBasis, analyzer.analyze('/p/u.py', text, config).findings);
});

test('line breaks as the editor counts them: CRLF and lone CR files move findings by the lines an edit adds', () => {
  const config = defaultConfig();
  for (const eol of ['\r\n', '\r']) {
    const program = PROGRAM.replace(/\n/g, eol);
    const { basis } = analyse('/p/e.py', program, config);
    for (const added of [`${eol}    y = 2`, '  # appended at the end of the line', `${eol}`]) {
      const text = program.replace(`    return x + 1`, `    return x + 1${added}`);
      const fromBasis = carried('/p/e.py', text, config, basis);
      if (fromBasis) assert.deepEqual(fromBasis, analyzer.analyze('/p/e.py', text, config).findings, `${JSON.stringify(eol)} + ${JSON.stringify(added)}`);
    }
    // Splitting the function's last CRLF pair: a line break is added, never miscounted.
    const split = program.replace(`    return x + 1${eol}`, `    return x + 1\r\r${eol.slice(1)}`);
    const fromBasis = carried('/p/e.py', split, config, basis);
    if (fromBasis) assert.deepEqual(fromBasis, analyzer.analyze('/p/e.py', split, config).findings);
  }
  const crlf = PROGRAM.replace(/\n/g, '\r\n');
  const { basis } = analyse('/p/e.py', crlf, config);
  assert.ok(carried('/p/e.py', crlf.replace('    return x + 1', '    return x + 12'), config, basis), 'typing at the end of a CRLF line is carried');
});

test('an edit that may change what the walk sees is analysed in full', () => {
  const config = defaultConfig();
  const { basis } = analyse('/p/m.py', PROGRAM, config);
  const refused: [string, string][] = [
    ['a word a rule follows', editQuiet('    return grpc.insecure_channel("x")')],
    ['a module-level name holding a channel', editQuiet('    return channel')],
    ['a fork target', editQuiet('    return pool.map(helper, [])')],
    ['a suppression comment', editQuiet('    return x  # noqa')],
    ['a syntax error', editQuiet('    return x +')],
    ['the function header', PROGRAM.replace('def quiet(x):', 'def quiet(x, y):')],
    ['a function a walk entered', PROGRAM.replace('    total = sum(request.items)', '    total = sum(request.item)')],
    ['code at module level', PROGRAM.replace('main()\n', 'main()\nx = 1\n')],
    ['a line that leaves the function', editQuiet('    return x + 1\nafter = 2')],
  ];
  for (const [what, text] of refused) assert.equal(carried('/p/m.py', text, config, basis), undefined, `carried despite ${what}`);
  assert.equal(carried('/p/m.py', editQuiet('    return x + 2'), mergeConfig({ targetPython: [3, 13] }), basis), undefined, 'carried under another configuration');
});

test('an edit in a method of a class nothing walks is carried; one in a class a walk enters is not', () => {
  const config = defaultConfig();
  const program = [
    'import grpc',
    'import os',
    'class Quiet:',
    '    def total(self, items):',
    '        return sum(items)',
    '',
    'class Client:',
    '    def __init__(self):',
    '        self.channel = grpc.insecure_channel("localhost:50051")',
    '    def describe(self):',
    '        return "client"',
    '',
    'c = Client()',
    'os.fork()',
    '',
  ].join('\n');
  const { findings, basis } = analyse('/p/c.py', program, config);
  assert.ok((findings as unknown[]).length > 0, 'the program has findings to carry');
  const quietEdit = program.replace('return sum(items)', 'return sum(items) + 1');
  const fromBasis = carried('/p/c.py', quietEdit, config, basis);
  assert.ok(fromBasis, 'an edit in Quiet.total was not carried');
  assert.deepEqual(fromBasis, analyzer.analyze('/p/c.py', quietEdit, config).findings);
  assert.equal(carried('/p/c.py', program.replace('return "client"', 'return "client!"'), config, basis), undefined, 'carried an edit in a method the walk entered');
});

test("the bench's typing (a character in a string of a handler) is carried keystroke after keystroke", () => {
  const lines = ['import multiprocessing as mp', 'import grpc', 'channel = grpc.insecure_channel("localhost:50051")', ''];
  for (let i = 0; i < 300; i++) lines.push(`def handler_${i}(request, context):`, `    return {"name": "h${i}"}`, '');
  lines.push('def main():', '    with mp.Pool(4) as pool:', '        pool.map(handler_0, [])', '', 'main()', '');
  const config = defaultConfig();
  let text = lines.join('\n');
  let { basis } = analyse('/p/big.py', text, config);
  const at = text.indexOf('"h150"') + 3;
  for (let i = 0; i < 6; i++) {
    text = i % 2 === 0 ? `${text.slice(0, at)}x${text.slice(at)}` : `${text.slice(0, at)}${text.slice(at + 1)}`;
    const result = analyzer.analyze('/p/big.py', text, config, { carryOver: { from: basis } });
    result.tree?.delete();
    assert.ok(result.carried && result.basis, `keystroke ${i} was not carried`);
    assert.deepEqual(result.findings, analyzer.analyze('/p/big.py', text, config).findings);
    basis = result.basis;
  }
});
