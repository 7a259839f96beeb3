// IPython's additions to Python in notebook cells: line magics (`%time f()`), cell magics
// (`%%bash` on a cell's first line), shell escapes (`!pip install x`, `files = !ls`) and help
// (`?obj`, `obj??`). They are not Python, so they are blanked before parsing: the line stays (the
// program's line numbers keep mapping to the cell's), its text goes. An escape is only one at the
// start of a logical line, as IPython reads it: a `%` that continues an expression inside brackets,
// after a backslash or inside a triple-quoted string is Python's modulo or text, and is kept.

/** Cell magics whose body is Python run once in the notebook's namespace: only their first line goes. */
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'capture', 'prun']);

export interface BlankedCell {
  lines: string[];
  /** Indexes of the lines that were IPython syntax (their fixes would edit text that is not there). */
  blanked: number[];
}

const ASSIGNED_ESCAPE = /^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[!%]/;
const HELP_SUFFIX = /^[A-Za-z_][\w.]*\?\??$/;

export function blankIPythonSyntax(source: string): BlankedCell {
  const lines = source.split('\n');
  const blanked: number[] = [];
  const cellMagic = /^%%(\w+)/.exec(lines[0] ?? '');
  if (cellMagic) {
    const keepBody = PYTHON_BODY_CELL_MAGICS.has(cellMagic[1]);
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && keepBody) break;
      if (lines[i] !== '') blanked.push(i);
      lines[i] = '';
    }
    if (!keepBody) return { lines, blanked };
  }
  const state: LexState = { triple: undefined, depth: 0, continued: false };
  for (let i = cellMagic ? 1 : 0; i < lines.length; i++) {
    if (!state.triple && state.depth === 0 && !state.continued) {
      const replaced = withoutEscape(lines[i]);
      if (replaced !== undefined) {
        lines[i] = replaced;
        blanked.push(i);
      }
    }
    advance(lines[i], state);
  }
  return { lines, blanked };
}

/** The line's Python replacement when it is IPython syntax; undefined when it is Python. */
function withoutEscape(line: string): string | undefined {
  const body = line.trimStart();
  const indent = line.slice(0, line.length - body.length);
  const trimmed = body.trimEnd();
  // Inside a block the line must stay a statement, or the block would be empty.
  const statement = indent ? `${indent}pass` : '';
  if (trimmed.startsWith('%') || trimmed.startsWith('!') || trimmed.startsWith('?')) return statement;
  if (HELP_SUFFIX.test(trimmed)) return statement;
  const assigned = ASSIGNED_ESCAPE.exec(line);
  if (assigned) return `${assigned[1]}None`;
  return undefined;
}

interface LexState {
  /** The quotes of the triple-quoted string the line ends inside. */
  triple: string | undefined;
  /** Open brackets. */
  depth: number;
  /** The line ended with a backslash. */
  continued: boolean;
}

/** Reads one line's strings, comments and brackets, to know whether the next line starts a statement. */
function advance(line: string, state: LexState): void {
  state.continued = false;
  const last = line.trimEnd().length - 1;
  let i = 0;
  while (i < line.length) {
    if (state.triple) {
      const close = findClose(line, i, state.triple);
      if (close < 0) return;
      state.triple = undefined;
      i = close + 3;
      continue;
    }
    const c = line[i];
    if (c === '#') return;
    if (c === '"' || c === "'") {
      if (line.startsWith(c.repeat(3), i)) {
        state.triple = c.repeat(3);
        i += 3;
        continue;
      }
      // A one-line string: to its closing quote (or the line's end, where Python would stop too).
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') state.depth++;
    else if ((c === ')' || c === ']' || c === '}') && state.depth > 0) state.depth--;
    else if (c === '\\' && i === last) state.continued = true;
    i++;
  }
}

function findClose(line: string, from: number, quotes: string): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line.startsWith(quotes, i)) return i;
  }
  return -1;
}
