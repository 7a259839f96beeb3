// The engine's defences against hostile input: the nesting guard that refuses a file before it is
// parsed, the GF000 notice, the size and time budgets, recovery after a failure inside the parser
// or the analyser (the next file is analysed normally), and lone-CR line endings.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/findings';
import { fixText } from '../../server/src/engine/fixes/fixAll';
import { MAX_BLOCK_DEPTH, MAX_BRACKET_DEPTH, MAX_EXPRESSION_DEPTH, NestingGuard, measureNesting, nestingRefusal } from '../../server/src/engine/nestingDepth';
import { grammarDir } from '../support/paths';

const BAD = 'import multiprocessing\nimport grpc\nch = grpc.insecure_channel("x")\nmultiprocessing.Process(target=print).start()\n';

function nestedIfs(levels: number): string {
  let text = '';
  for (let i = 0; i < levels; i++) text += `${' '.repeat(i)}if x:\n`;
  return `${text}${' '.repeat(levels)}pass\n`;
}

const parens = (levels: number) => `x = ${'('.repeat(levels)}1${')'.repeat(levels)}\n`;
const chain = (terms: number) => `import grpc\nx = ${Array(terms).fill('1').join(' + ')}\n`;

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function analyse(text: string, budget?: { maxFileBytes?: number; timeMs?: number }): Finding[] {
  return analyzer.analyze('/project/example.py', text, defaultConfig(), { budget }).findings;
}

const codes = (findings: Finding[]) => findings.map((f) => f.code);

describe('nesting guard', () => {
  test('measures blocks, brackets and chained operators', () => {
    assert.equal(measureNesting(nestedIfs(7)).blocks, 7);
    assert.equal(measureNesting(parens(9)).brackets, 9);
    assert.ok(measureNesting(chain(50)).expression >= 49);
    assert.ok(measureNesting(`x = ${'not '.repeat(30)}y\n`).expression >= 30);
    assert.ok(measureNesting(`f = ${'lambda a, b=1: '.repeat(30)}0\n`).expression >= 30, 'lambda parameters do not end the chain');
    assert.ok(measureNesting(`x = a${'.b'.repeat(40)}\n`).expression >= 40);
    assert.ok(measureNesting(`x = f${'()'.repeat(40)}\n`).expression >= 40);
  });

  test('the limits are where CPython stops (blocks, brackets) and an operator chain far below a stack overflow', () => {
    assert.equal(nestingRefusal(nestedIfs(MAX_BLOCK_DEPTH)), undefined);
    assert.match(nestingRefusal(nestedIfs(MAX_BLOCK_DEPTH + 1)) ?? '', /blocks are nested more than 100/);
    assert.equal(nestingRefusal(parens(MAX_BRACKET_DEPTH)), undefined);
    assert.match(nestingRefusal(parens(MAX_BRACKET_DEPTH + 1)) ?? '', /brackets are nested more than 200/);
    assert.match(nestingRefusal(chain(MAX_EXPRESSION_DEPTH + 2)) ?? '', /chains more than 1000 operators/);
  });

  test('ignores strings and comments, and flat literals are never deep', () => {
    const hidden = [
      `s = "${'('.repeat(5000)}"\n`,
      `s = '''\n${'  if x:\n'.repeat(300)}'''\n`,
      `# ${'['.repeat(5000)}\n`,
      `s = r"\\"${'('.repeat(5000)}"\n`,
      `s = f"{value:#x}{'{'}${'('.repeat(500)}"\n`,
      `data = [${Array(100_000).fill('1 + 1').join(', ')}]\n`,
      `table = {${Array(20_000).fill('"k": a.b.c').join(', ')}}\n`,
    ];
    for (const text of hidden) assert.equal(nestingRefusal(text), undefined, text.slice(0, 60));
  });

  test('counts brackets inside f-string interpolations', () => {
    assert.equal(measureNesting(`s = f"{${'('.repeat(30)}1${')'.repeat(30)}}"\n`).brackets, 31);
  });
});

describe('analysis notices (GF000)', () => {
  test('a file past the nesting guard is not parsed and gets one information notice', () => {
    const findings = analyse(`import grpc\n${nestedIfs(520)}`);
    assert.deepEqual(codes(findings), ['GF000']);
    assert.equal(findings[0].severity, 'information');
    assert.match(findings[0].message, /^Not analysed: its blocks are nested more than 100 levels deep/);
  });

  test('deep files do not stop the same analyser from analysing the next file', () => {
    for (const deep of [nestedIfs(520), parens(4000), chain(20_000), `x = ${'-'.repeat(30_000)}1\n`]) {
      assert.deepEqual(codes(analyse(deep)), ['GF000']);
      assert.deepEqual(codes(analyse(BAD)), ['GF101'], 'the buggy file after a deep one still gets its finding');
    }
  });

  test('the size budget refuses a larger file with a notice that says so', () => {
    const findings = analyse(BAD, { maxFileBytes: 40 });
    assert.deepEqual(codes(findings), ['GF000']);
    assert.match(findings[0].message, /larger than 40 bytes/);
    // Multi-byte characters count as UTF-8 bytes, as on disk.
    assert.deepEqual(codes(analyse(`# ${'é'.repeat(30)}\n`, { maxFileBytes: 40 })), ['GF000']);
    assert.deepEqual(codes(analyse(`# ${'e'.repeat(30)}\n`, { maxFileBytes: 40 })), []);
  });

  test('a spent time budget stops the analysis with a notice, never an empty result', () => {
    // A budget already spent when the analysis starts: parsing is cancelled or no rule runs.
    const findings = analyse(BAD, { timeMs: -1 });
    assert.deepEqual(codes(findings), ['GF000']);
    assert.match(findings[0].message, /time budget/);
    assert.deepEqual(codes(analyse(BAD)), ['GF101'], 'a cancelled parse leaves the parser ready for the next file');
  });

  test('a stack overflow anywhere in parsing or analysis becomes a notice, and the analyser still works afterwards', () => {
    // Analyses run with less and less stack left: each either overflows (inside the engine: a
    // notice; before it: a RangeError) or completes. None may leave the parser broken.
    const outcomes = { notices: 0, escaped: 0, complete: 0 };
    let attempt = 0;
    const attemptAt = (depth: number): void => {
      try {
        attemptAt(depth + 1);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
      if (outcomes.complete > 0 || attempt++ % 2 !== 0) return;
      try {
        const findings = analyse(BAD);
        if (codes(findings).includes('GF000')) outcomes.notices++;
        else if (codes(findings).includes('GF101')) outcomes.complete++;
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        outcomes.escaped++;
      }
    };
    attemptAt(0);
    assert.ok(outcomes.complete > 0, 'with enough stack the analysis completes');
    assert.ok(outcomes.notices > 0, `some overflow happened inside the engine and became a notice (${JSON.stringify(outcomes)})`);
    assert.deepEqual(codes(analyse(BAD)), ['GF101']);
    assert.deepEqual(codes(analyse(BAD.replace(/\n/g, '\r\n'))), ['GF101']);
  });
});

describe('lone CR line endings', () => {
  test('positions count a lone CR as a line end, as Python and LSP do', () => {
    const lf = analyse(BAD);
    const cr = analyse(BAD.replace(/\n/g, '\r'));
    assert.deepEqual(codes(cr), ['GF101']);
    assert.deepEqual(cr[0].range, lf[0].range);
    assert.deepEqual(cr[0].range.start, { line: 2, character: 5 });
  });

  test('fixes computed on a lone-CR file apply to its original text', () => {
    const original = BAD.replace(/\n/g, '\r');
    const analyseText = (text: string) => analyzer.analyze('/project/example.py', text, defaultConfig()).findings;
    const fixed = fixText(analyseText, original, { unsafe: true });
    assert.ok(fixed.applied.length > 0, 'a fix was applied');
    assert.deepEqual(codes(analyseText(fixed.text)).filter((c) => c === 'GF101'), []);
    const fromLf = fixText(analyseText, BAD, { unsafe: true });
    assert.equal(fixed.text.replace(/\r\n?/g, '\n'), fromLf.text, 'the same change as on the LF file');
  });
});

test('the nesting guard judges a small edit from the last measure and measures again when the edit changes structure', () => {
  const guard = new NestingGuard();
  const shallow = `x = ${'('.repeat(MAX_BRACKET_DEPTH)}1${')'.repeat(MAX_BRACKET_DEPTH)}\n`;
  assert.equal(guard.refusal('/a.py', shallow), undefined);
  // A letter typed: judged from the last measure (still fine).
  assert.equal(guard.refusal('/a.py', shallow.replace('x =', 'xy =')), undefined);
  // One more bracket: structural, so measured again, and refused.
  const deeper = `x = ${'('.repeat(MAX_BRACKET_DEPTH + 1)}1${')'.repeat(MAX_BRACKET_DEPTH + 1)}\n`;
  assert.match(guard.refusal('/a.py', deeper) ?? '', /brackets are nested more than/);
});
