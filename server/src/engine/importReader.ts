// The one text-level reader of Python import statements, for the workspace scan, the editor's
// module resolver and the project's import graph alike. It reads bytes, without a parser (the
// engine's imports.ts reads them from the tree, with positions, for the walk).
const IMPORT = Buffer.from('import');

/**
 * The modules named by the file's `import` and `from ... import` statements, found without a
 * parser. Each occurrence of the word `import` is read with its logical line (backslash
 * continuations, a parenthesised name list). Over-approximation is harmless (a name that is no
 * module resolves to nothing); missing a statement is not, so anything odd is kept.
 *
 * Every step is linear in the file, whatever its content (a hostile file must not stall the
 * scan): no regular expression here can backtrack (each is one character class, or literal
 * text), and each byte is read by at most one backward and one forward scan: a scan stops at the
 * previous statement's keyword, and an `import` inside a name list already read is skipped.
 */
export function readImports(buffer: Buffer): string[] {
  const modules = new Set<string>();
  const state: ScanState = { previousKeyword: 0, previousStop: 0 };
  let at = buffer.indexOf(IMPORT);
  while (at >= 0) {
    const end = at + IMPORT.length;
    if (at >= state.previousStop && !isNameByte(buffer[at - 1]) && !isNameByte(buffer[end])) readStatement(buffer, at, end, modules, state);
    at = buffer.indexOf(IMPORT, end);
  }
  return [...modules];
}

interface ScanState {
  /** Where the last statement read starts its keyword: backward scans stop there. */
  previousKeyword: number;
  /** Where the last statement's name list ends: an `import` before it was read with that list. */
  previousStop: number;
}

function readStatement(buffer: Buffer, keyword: number, afterKeyword: number, modules: Set<string>, state: ScanState): void {
  // The statement's start: back to a `;` or a newline that no backslash continues, but never
  // before the previous keyword (whatever lies there belongs to the previous statement).
  const floor = state.previousKeyword;
  let start = keyword;
  for (;;) {
    while (start > floor && buffer[start - 1] !== 0x0a && buffer[start - 1] !== 0x3b /* ; */) start--;
    if (start <= floor || buffer[start - 1] === 0x3b) break;
    let back = start - 2;
    if (back >= floor && buffer[back] === 0x0d) back--;
    if (back >= floor && buffer[back] === 0x5c /* \ */) {
      start = back;
      continue;
    }
    break;
  }
  if (start < floor) start = floor;
  const prefix = joinContinuations(buffer.toString('latin1', start, keyword));
  // The names after the keyword: to the closing parenthesis, else to the logical line's end.
  let stop = afterKeyword;
  while (stop < buffer.length && (buffer[stop] === 0x20 || buffer[stop] === 0x09)) stop++;
  const parenthesised = buffer[stop] === 0x28; /* ( */
  while (stop < buffer.length) {
    const byte = buffer[stop];
    if (parenthesised ? byte === 0x29 : byte === 0x0a && buffer[stop - 1] !== 0x5c && !(buffer[stop - 1] === 0x0d && buffer[stop - 2] === 0x5c)) break;
    if (!parenthesised && (byte === 0x3b || byte === 0x23)) break; /* ; # */
    stop++;
  }
  state.previousKeyword = keyword;
  state.previousStop = stop;
  const names = buffer.toString('latin1', afterKeyword, stop)
    .replace(/#[^\n]*/g, ' ')
    .replace(/[()\\]/g, ' ')
    .split(',')
    .map(firstWord)
    .filter((name) => name && name !== '*');
  const from = fromModule(prefix);
  if (from !== undefined) {
    modules.add(from);
    for (const name of names) modules.add(from.endsWith('.') ? `${from}${name}` : `${from}.${name}`);
  }
  // Each name is also taken as a module with its parents: right for `import a.b`, and a harmless
  // over-approximation after `from` (or when the prefix was not understood).
  for (const name of names) {
    const parts = name.split('.');
    for (let i = 1; i <= parts.length; i++) if (parts[i - 1]) modules.add(parts.slice(0, i).join('.'));
  }
}

/** Backslash-newline pairs become spaces (one pass, no regular expression). */
function joinContinuations(text: string): string {
  if (!text.includes('\\')) return text;
  let result = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '\n') {
      result += ' ';
      i++;
    } else if (text[i] === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      result += ' ';
      i += 2;
    } else result += text[i];
  }
  return result;
}

/** `as x` or a trailing comment never belongs to the name: the text up to its first blank. */
function firstWord(item: string): string {
  const trimmed = item.trim();
  const blank = trimmed.search(/\s/);
  return blank < 0 ? trimmed : trimmed.slice(0, blank);
}

const BLANK = /\s/;

/**
 * The module of `from MODULE import`, read from the text before `import`: the leftmost `from`
 * (at the start, or after a blank or `:`) followed by words that only dots join (`a . b` is the
 * module `a.b`; `a b` is no module). Undefined when there is none.
 */
function fromModule(prefix: string): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < prefix.length;) {
    while (i < prefix.length && BLANK.test(prefix[i])) i++;
    if (i >= prefix.length) break;
    const begin = i;
    while (i < prefix.length && !BLANK.test(prefix[i])) i++;
    words.push(prefix.slice(begin, i));
  }
  // joined[k]: words k.. form one dotted module (each blank between them touches a dot).
  const joined: boolean[] = new Array(words.length + 1).fill(false);
  for (let k = words.length - 1; k >= 0; k--) {
    joined[k] = k === words.length - 1 || (joined[k + 1] && (words[k].endsWith('.') || words[k + 1].startsWith('.')));
  }
  for (let k = 0; k + 1 < words.length; k++) {
    const word = words[k];
    const isFrom = word === 'from' || word.endsWith(':from');
    if (isFrom && joined[k + 1]) return words.slice(k + 1).join('');
  }
  return undefined;
}

function isNameByte(byte: number | undefined): boolean {
  if (byte === undefined) return false;
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte >= 0x80;
}
