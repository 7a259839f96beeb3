// GF101's "Use it in a `with` block": a function's channel that the parent needs only before the
// fork is scoped to the statements that read it, and this is the preferred fix when it applies.
// Each case checks the exact fixed text, that GF101 is gone, and when the block is not offered.
import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string) => analyzer.analyze('/project/job.py', text, defaultConfig()).findings;
const lines = (...l: string[]) => l.join('\n');

const HEAD = ['import os', 'from multiprocessing import Pool', '', 'import grpc', '', '', 'def work(shard):', '    return shard', '', ''];
const program = (...body: string[]) => lines(...HEAD, 'def main():', ...body, '    with Pool(2) as pool:', '        pool.map(work, shards)', '');

const BROKEN = program(
  '    channel = grpc.insecure_channel(os.environ["T"])  # shard map',
  '    lookup = channel.unary_unary("/gf.Echo/Echo")',
  '    # one call for the whole map',
  '    shards = lookup(b"a,b", timeout=3).decode().split(",")',
  '',
  '    print(len(shards))',
);

test('wraps the statements that read the channel, keeping comments, and is the preferred (first, safe) fix', () => {
  const finding = analyse(BROKEN).find((f) => f.code === 'GF101');
  assert.ok(finding);
  const [first, second] = finding.fixes;
  assert.equal(first.title, 'Use `channel` in a `with` block (closed before the fork)');
  assert.equal(first.applicability, 'safe');
  assert.equal(second.title, 'Close `channel` before the fork');
  const fixed = applyEdits(BROKEN, first.edits);
  assert.equal(fixed, program(
    '    with grpc.insecure_channel(os.environ["T"]) as channel:  # shard map',
    '        lookup = channel.unary_unary("/gf.Echo/Echo")',
    '        # one call for the whole map',
    '        shards = lookup(b"a,b", timeout=3).decode().split(",")',
    '',
    '    print(len(shards))',
  ));
  assert.deepEqual(analyse(fixed).map((f) => f.code), []);
});

test('ends the block after the last statement before the fork that reads a name it binds', () => {
  const text = BROKEN.replace('    print(len(shards))', '    print(len(shards))\n    lookup(b"mapped", timeout=3)\n    print("forking")');
  const fix = analyse(text).find((f) => f.code === 'GF101')?.fixes[0];
  assert.equal(fix?.title, 'Use `channel` in a `with` block (closed before the fork)');
  assert.equal(applyEdits(text, fix.edits), program(
    '    with grpc.insecure_channel(os.environ["T"]) as channel:  # shard map',
    '        lookup = channel.unary_unary("/gf.Echo/Echo")',
    '        # one call for the whole map',
    '        shards = lookup(b"a,b", timeout=3).decode().split(",")',
    '',
    '        print(len(shards))',
    '        lookup(b"mapped", timeout=3)',
    '    print("forking")',
  ));
});

test('is not offered when a statement to re-indent holds a multi-line string', () => {
  const text = BROKEN.replace('    # one call for the whole map\n', '    lookup(b"""first\nsecond""")\n');
  const kinds = analyse(text).filter((f) => f.code === 'GF101').flatMap((f) => f.fixes.map((x) => x.kind));
  assert.equal(kinds.includes('withBlock'), false, kinds.join(' | '));
  assert.ok(kinds.includes('closeBeforeFork'), kinds.join(' | '));
});

test('is not offered for a module-level channel (other functions may read it)', () => {
  const text = lines(...HEAD, 'channel = grpc.insecure_channel(os.environ["T"])', 'shards = channel.unary_unary("/gf.Echo/Echo")(b"a", timeout=3)', 'with Pool(2) as pool:', '    pool.map(work, [shards])', '');
  const kinds = analyse(text).filter((f) => f.code === 'GF101').flatMap((f) => f.fixes.map((x) => x.kind));
  assert.equal(kinds.includes('withBlock'), false, kinds.join(' | '));
});

test('is not offered when the `with` line would pass 79 characters', () => {
  const text = BROKEN.replace('# shard map', '# the shard service, one call');
  const kinds = analyse(text).filter((f) => f.code === 'GF101').flatMap((f) => f.fixes.map((x) => x.kind));
  assert.equal(kinds.includes('withBlock'), false, kinds.join(' | '));
});
