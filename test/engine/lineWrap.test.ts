// The wrapping every fix goes through (fixes/lineWrap.ts): a line a fix makes longer than 79
// characters is split at its outermost bracket, the way black and PEP 8 write it.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { wrapLine } from '../../server/src/engine/fixes/lineWrap';

const wrap = (line: string) => wrapLine(line, 79, '    ', 0);

test('a line within the limit is left alone', () => {
  assert.deepEqual(wrap('x = f(a, b)'), ['x = f(a, b)']);
});

test('the contents of the outermost call go on one indented line when they fit', () => {
  assert.deepEqual(wrap('    server = grpc.server(futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 1)])'), [
    '    server = grpc.server(',
    '        futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 1)]',
    '    )',
  ]);
});

test('one item per line with a trailing comma when they do not, again inside an item', () => {
  assert.deepEqual(wrap('        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 1), ("grpc.max_send_message_length", 1024)])'), [
    '        server = grpc.server(',
    '            futures.ThreadPoolExecutor(max_workers=4),',
    '            options=[',
    '                ("grpc.so_reuseport", 1),',
    '                ("grpc.max_send_message_length", 1024),',
    '            ],',
    '        )',
  ]);
});

test('a with statement keeps `as name:` after the closing bracket', () => {
  assert.deepEqual(wrap('    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:'), [
    '    with ProcessPoolExecutor(',
    '        max_workers=2, mp_context=multiprocessing.get_context("spawn")',
    '    ) as pool:',
  ]);
});

test('a comprehension is not split at its commas; a comment moves above unless it is a noqa', () => {
  assert.deepEqual(wrap('    workers = [spawn_context.Process(target=worker) for n in range(2)]  # two of them'), [
    '    # two of them',
    '    workers = [spawn_context.Process(target=worker) for n in range(2)]',
  ]);
  assert.deepEqual(wrap('    workers = [spawn_context.Process(target=worker, args=(n, m)) for n in range(2)]  # noqa: F821'), [
    '    workers = [',
    '        spawn_context.Process(target=worker, args=(n, m)) for n in range(2)',
    '    ]  # noqa: F821',
  ]);
});

test('a line inside a string that does not end on it is not touched', () => {
  assert.equal(wrap(`    text = """${'x'.repeat(90)}`), undefined);
});
