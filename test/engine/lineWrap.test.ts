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

test('a comprehension is not split at its commas; a trailing comment stays on the statement\'s first line', () => {
  assert.deepEqual(wrap('    workers = [spawn_context.Process(target=worker) for n in range(2)]  # two of them'), [
    '    workers = [  # two of them',
    '        spawn_context.Process(target=worker) for n in range(2)',
    '    ]',
  ]);
  assert.deepEqual(wrap('    workers = [spawn_context.Process(target=worker, args=(n, m)) for n in range(2)]  # noqa: F821'), [
    '    workers = [  # noqa: F821',
    '        spawn_context.Process(target=worker, args=(n, m)) for n in range(2)',
    '    ]',
  ]);
});

test('a pragma is never moved off its statement: above the line it would silence nothing', () => {
  const line = '    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=OPTIONS)  # noqa: E501';
  const wrapped = wrap(line)!;
  assert.ok(wrapped[0].startsWith('    server = grpc.server('), wrapped.join('\n'));
  assert.ok(wrapped[0].endsWith('# noqa: E501'), wrapped.join('\n'));
  // A comment that does not fit on the first line goes after the closing bracket, never above.
  const long = `    server = grpc.server(futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 1)])  # ${'why '.repeat(16)}`;
  const lines = wrap(long)!;
  assert.ok(!lines[0].trimStart().startsWith('#'), lines.join('\n'));
  assert.match(lines[lines.length - 1], /^ {4}\)  # why/);
});

test('a line with `# type: ignore` is left as it is (mypy reports on the line of the argument)', () => {
  assert.equal(wrap('    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=opts)  # type: ignore[arg-type]'), undefined);
});

test('a line inside a string that does not end on it is not touched', () => {
  assert.equal(wrap(`    text = """${'x'.repeat(90)}`), undefined);
});
