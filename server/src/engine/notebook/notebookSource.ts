// Writing new cell sources into a notebook's JSON text without touching anything else: outputs,
// metadata, key order, number spellings and the file's indentation stay byte for byte; only the
// `source` values of the changed cells are replaced, in the list-of-lines form nbformat writes.

interface Scan {
  text: string;
  at: number;
}

/**
 * The text with each changed cell's `source` replaced; undefined when the text is not a
 * notebook whose cells can be found (the caller then leaves the file alone).
 */
export function withCellSources(text: string, sources: ReadonlyMap<number, string>): string | undefined {
  let spans: Map<number, { start: number; end: number }>;
  try {
    spans = sourceSpans(text);
  } catch {
    return undefined;
  }
  if ([...sources.keys()].some((cell) => !spans.has(cell))) return undefined;
  const edits = [...sources].map(([cell, source]) => ({ ...spans.get(cell)!, newText: sourceJson(text, spans.get(cell)!.start, source) }));
  edits.sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of edits) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** nbformat's form: a list of lines, each but the last keeping its newline, indented like the file. */
function sourceJson(text: string, valueStart: number, source: string): string {
  const lines = source.split(/(?<=\n)/).filter((line) => line !== '');
  if (lines.length === 0) return '[]';
  const lineStart = text.lastIndexOf('\n', valueStart - 1) + 1;
  const keyIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const unit = indentUnit(text);
  const items = lines.map((line) => `${keyIndent}${unit}${JSON.stringify(line)}`);
  return `[\n${items.join(',\n')}\n${keyIndent}]`;
}

/** The file's indentation step (nbformat writes one space), read from its second line. */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)/.exec(text);
  return match ? match[1] : ' ';
}

/** Where each cell's `source` value is in the text (cells by index); throws on text that is not JSON. */
function sourceSpans(text: string): Map<number, { start: number; end: number }> {
  const scan: Scan = { text, at: 0 };
  const spans = new Map<number, { start: number; end: number }>();
  skipBlank(scan);
  expect(scan, '{');
  eachMember(scan, (key) => {
    if (key !== 'cells') return skipValue(scan);
    expect(scan, '[');
    let index = 0;
    eachItem(scan, ']', () => {
      const cell = index++;
      if (scan.text[scan.at] !== '{') return skipValue(scan);
      expect(scan, '{');
      eachMember(scan, (cellKey) => {
        const start = scan.at;
        skipValue(scan);
        if (cellKey === 'source') spans.set(cell, { start, end: scan.at });
      });
    });
  });
  return spans;
}

function eachMember(scan: Scan, onValue: (key: string) => void): void {
  eachItem(scan, '}', () => {
    const key = readString(scan);
    skipBlank(scan);
    expect(scan, ':');
    skipBlank(scan);
    onValue(key);
  });
}

/** Items separated by commas up to `close` (the opening bracket already read). */
function eachItem(scan: Scan, close: string, onItem: () => void): void {
  skipBlank(scan);
  if (scan.text[scan.at] === close) {
    scan.at++;
    return;
  }
  for (;;) {
    skipBlank(scan);
    onItem();
    skipBlank(scan);
    const c = scan.text[scan.at++];
    if (c === close) return;
    if (c !== ',') throw new Error(`unexpected ${JSON.stringify(c)} at ${scan.at - 1}`);
  }
}

function skipValue(scan: Scan): void {
  const c = scan.text[scan.at];
  if (c === '"') {
    readString(scan);
  } else if (c === '{') {
    scan.at++;
    eachMember(scan, () => skipValue(scan));
  } else if (c === '[') {
    scan.at++;
    eachItem(scan, ']', () => skipValue(scan));
  } else {
    const match = /^(?:true|false|null|-?[0-9][0-9.eE+-]*)/.exec(scan.text.slice(scan.at, scan.at + 64));
    if (!match) throw new Error(`unexpected ${JSON.stringify(c)} at ${scan.at}`);
    scan.at += match[0].length;
  }
}

function readString(scan: Scan): string {
  const start = scan.at;
  expect(scan, '"');
  while (scan.at < scan.text.length && scan.text[scan.at] !== '"') scan.at += scan.text[scan.at] === '\\' ? 2 : 1;
  expect(scan, '"');
  return JSON.parse(scan.text.slice(start, scan.at)) as string;
}

function expect(scan: Scan, c: string): void {
  if (scan.text[scan.at] !== c) throw new Error(`expected ${c} at ${scan.at}`);
  scan.at++;
}

function skipBlank(scan: Scan): void {
  while (scan.at < scan.text.length && ' \t\r\n'.includes(scan.text[scan.at])) scan.at++;
}
