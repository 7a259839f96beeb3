// The file the bench types in (bench/run.mjs through the server, bench/typingReplay.mjs through the
// engine): 4,997 lines of small handlers, a channel at import time and a pool that forks, and the
// keystroke both make: a character added to a string literal in the middle, then removed again.
export function typingFile() {
  const lines = ['import multiprocessing as mp', 'import grpc', 'channel = grpc.insecure_channel("localhost:50051")', ''];
  for (let i = 0; lines.length < 4990; i++) {
    lines.push(`def handler_${i}(request, context):`, `    total = sum(x * ${i} for x in request.items)`, `    return {"total": total, "name": "h${i}"}`, '');
  }
  lines.push('def main():', '    with mp.Pool(4) as pool:', '        pool.map(handler_0, [])', '', 'main()');
  const line = lines.findIndex((l, index) => index >= 2500 && l.startsWith('    return {'));
  const column = lines[line].indexOf('"h') + 2;
  /** The i-th keystroke's change event: even ones insert `x`, odd ones delete it. */
  const keystroke = (i) => {
    const at = { line, character: column };
    return i % 2 === 0 ? { range: { start: at, end: at }, text: 'x' } : { range: { start: at, end: { line, character: column + 1 } }, text: '' };
  };
  return { lines, text: `${lines.join('\n')}\n`, keystroke };
}
