// A bound on how deep a file's syntax tree can be, read from the text in one linear pass before
// anything parses it. Deep trees are what break the parser (tree-sitter's WebAssembly traps or
// errors past a few hundred indentation levels) and the engine's walks (the JavaScript stack
// overflows near 4,000 nested brackets or 6,000 chained operators), so a file past a limit is
// refused with a reason instead of parsed.
//
// The scan is a small tokenizer: strings (with prefixes, triple quotes and f-string
// interpolations) and comments are skipped, brackets are counted, indentation is tracked as
// Python's tokenizer does (a stack of widths, tabs to multiples of 8), and operators that nest
// expressions (`a + b + ...`, `not not ...`, `a.b.c`, `f()()`, `x if c else ...`, `lambda: ...`)
// are counted per expression: a comma ends an element of a list and a newline outside brackets
// a statement, so long flat literals never count as deep.

/** CPython refuses more than 100 indentation levels ("too many levels of indentation"). */
export const MAX_BLOCK_DEPTH = 100;
/** CPython refuses more than 200 nested brackets ("too many nested parentheses"). */
export const MAX_BRACKET_DEPTH = 200;
/** Operators chained in one expression: far beyond hand-written code, far below a stack overflow. */
export const MAX_EXPRESSION_DEPTH = 1000;

export interface NestingDepth {
  blocks: number;
  brackets: number;
  expression: number;
}

/** Why a text is too deeply nested to analyse, or undefined when it is within every limit. */
export function nestingRefusal(text: string): string | undefined {
  return refusalFor(measureNesting(text));
}

function refusalFor(depth: NestingDepth): string | undefined {
  if (depth.blocks > MAX_BLOCK_DEPTH) return `its blocks are nested more than ${MAX_BLOCK_DEPTH} levels deep`;
  if (depth.brackets > MAX_BRACKET_DEPTH) return `its brackets are nested more than ${MAX_BRACKET_DEPTH} levels deep`;
  if (depth.expression > MAX_EXPRESSION_DEPTH) return `an expression chains more than ${MAX_EXPRESSION_DEPTH} operators`;
  return undefined;
}

/**
 * The guard for a document that is edited a keystroke at a time (the language server): the last
 * text measured for each path is kept, and a small edit that cannot change the structure (no line
 * break, bracket, quote, backslash or `#` in what it inserts or removes) is judged from the last
 * measure: blocks and brackets stay as they were, and an expression chain grows by at most one per
 * character changed. Anything else is measured again. The scan costs milliseconds on a large file;
 * the check costs a comparison of the two texts.
 */
export class NestingGuard {
  private readonly last = new Map<string, { text: string; depth: NestingDepth }>();

  constructor(private readonly maxEntries = 64) {}

  refusal(key: string, text: string): string | undefined {
    const known = this.last.get(key);
    let depth = known && boundedByEdit(known.text, text, known.depth);
    if (!depth) depth = measureNesting(text);
    this.last.delete(key);
    this.last.set(key, { text, depth });
    if (this.last.size > this.maxEntries) this.last.delete(this.last.keys().next().value!);
    return refusalFor(depth);
  }
}

/** Characters whose insertion or removal can change blocks, brackets or strings. */
const STRUCTURAL = /[\n\r()[\]{}'"\\#]/;
const MAX_JUDGED_EDIT = 16;

function boundedByEdit(before: string, after: string, depth: NestingDepth): NestingDepth | undefined {
  if (Math.abs(before.length - after.length) > MAX_JUDGED_EDIT) return undefined;
  const shorter = Math.min(before.length, after.length);
  const start = commonLength(shorter, (n) => before.slice(0, n) === after.slice(0, n));
  const end = commonLength(shorter - start, (n) => before.slice(before.length - n) === after.slice(after.length - n));
  const removed = before.slice(start, before.length - end);
  const inserted = after.slice(start, after.length - end);
  if (removed.length + inserted.length > MAX_JUDGED_EDIT || STRUCTURAL.test(removed) || STRUCTURAL.test(inserted)) return undefined;
  return { ...depth, expression: depth.expression + removed.length + inserted.length };
}

/** The longest n ≤ max with same(n), by halving: string comparison is native, a character loop is not. */
function commonLength(max: number, same: (n: number) => boolean): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (same(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

interface BracketFrame {
  kind: 'bracket';
  /** Nesting operators seen in the current element of this bracket. */
  chain: number;
  /** `lambda` keywords whose parameter list has not reached its colon (commas there do not end an element). */
  openLambdas: number;
  /** An f-string interpolation `{...}`: closing it returns to the string. */
  interpolation: boolean;
}

interface StringFrame {
  kind: 'string';
  /** The closing quote; for a format spec (`{x:>10}`), the `}` that ends its interpolation. */
  quote: string;
  formatted: boolean;
}

type Frame = BracketFrame | StringFrame;

const NESTING_KEYWORDS = new Set(['not', 'and', 'or', 'if', 'else', 'lambda', 'await', 'in', 'is', 'yield']);
const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;

// Character codes.
const LF = 10, CR = 13, TAB = 9, FF = 12, SPACE = 32, HASH = 35, BACKSLASH = 92;
const DQUOTE = 34, QUOTE = 39, COLON = 58, COMMA = 44, SEMICOLON = 59, DOT = 46, EQUALS = 61;
// One table of character classes: the scan looks each character up once (a Set per class costs
// several times more on a large file, and the guard runs before every parse, keystrokes included).
const OPEN_CLASS = 1, CLOSE_CLASS = 2, OPERATOR_CLASS = 3, KEYWORD_START = 4;
const CLASSES = new Uint8Array(128);
for (const c of [40, 91, 123]) CLASSES[c] = OPEN_CLASS; // ( [ {
for (const c of [41, 93, 125]) CLASSES[c] = CLOSE_CLASS; // ) ] }
for (const c of '+-*/%@&|^~<>=!') CLASSES[c.charCodeAt(0)] = OPERATOR_CLASS;
/** First letters of NESTING_KEYWORDS: other identifiers need no slice and no lookup. */
const KEYWORD_FIRST = new Uint8Array(128);
for (const word of ['not', 'and', 'or', 'if', 'else', 'lambda', 'await', 'in', 'is', 'yield']) KEYWORD_FIRST[word.charCodeAt(0)] = KEYWORD_START;

function isIdentifierCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code >= 128;
}

export function measureNesting(text: string): NestingDepth {
  const result: NestingDepth = { blocks: 0, brackets: 0, expression: 0 };
  const indents = [0];
  const frames: Frame[] = [];
  // The top level (outside every bracket) is an element too.
  const top: BracketFrame = { kind: 'bracket', chain: 0, openLambdas: 0, interpolation: false };
  let brackets = 0;
  // The sum of `chain` over `top` and every open bracket, kept up to date.
  let chainSum = 0;
  let afterOperand = false;
  let lineStart = true;
  const n = text.length;
  let i = 0;

  const current = (): BracketFrame => {
    for (let k = frames.length - 1; k >= 0; k--) {
      const frame = frames[k];
      if (frame.kind === 'bracket') return frame;
    }
    return top;
  };
  const nest = (frame: BracketFrame) => {
    frame.chain++;
    chainSum++;
    if (chainSum > result.expression) result.expression = chainSum;
  };
  const endElement = (frame: BracketFrame) => {
    chainSum -= frame.chain;
    frame.chain = 0;
    frame.openLambdas = 0;
  };
  const openBracket = (interpolation: boolean) => {
    frames.push({ kind: 'bracket', chain: 0, openLambdas: 0, interpolation });
    brackets++;
    if (brackets > result.brackets) result.brackets = brackets;
    afterOperand = false;
  };

  while (i < n) {
    const frame = frames.length ? frames[frames.length - 1] : undefined;
    const c = text.charCodeAt(i);
    if (frame?.kind === 'string') {
      if (c === BACKSLASH) {
        i += 2;
      } else if (frame.quote === '}' && c === 125) {
        // The format spec ends; its interpolation's frame takes the `}`.
        frames.pop();
      } else if ((c === DQUOTE || c === QUOTE) && text.startsWith(frame.quote, i)) {
        frames.pop();
        i += frame.quote.length;
        afterOperand = true;
      } else if (frame.formatted && c === 123) {
        if (text.charCodeAt(i + 1) === 123) i += 2;
        else {
          openBracket(true);
          i++;
        }
      } else if (frame.formatted && c === 125 && text.charCodeAt(i + 1) === 125) {
        i += 2;
      } else if ((c === LF || c === CR) && frame.quote.length === 1) {
        // An unterminated one-line string ends at the line's end, as the tokenizer's error does.
        frames.pop();
      } else {
        i++;
      }
      continue;
    }

    if (lineStart) {
      lineStart = false;
      // Indentation of a logical line (only ever outside brackets).
      let width = 0;
      let j = i;
      for (; j < n; j++) {
        const w = text.charCodeAt(j);
        if (w === SPACE) width++;
        else if (w === TAB) width = (Math.floor(width / 8) + 1) * 8;
        else if (w === FF) width = 0;
        else break;
      }
      i = j;
      const next = text.charCodeAt(j);
      const after = text.charCodeAt(j + 1);
      if (j < n && next !== LF && next !== CR && next !== HASH && !(next === BACKSLASH && (after === LF || after === CR))) {
        if (width > indents[indents.length - 1]) indents.push(width);
        else while (indents.length > 1 && width < indents[indents.length - 1]) indents.pop();
        if (indents.length - 1 > result.blocks) result.blocks = indents.length - 1;
      }
      continue;
    }

    if (c === SPACE || c === TAB || c === FF) {
      i++;
    } else if (isIdentifierCode(c)) {
      const start = i;
      while (i < n && isIdentifierCode(text.charCodeAt(i))) i++;
      const next = text.charCodeAt(i);
      const length = i - start;
      if ((next === DQUOTE || next === QUOTE) && length <= 2 && STRING_PREFIX.test(text.slice(start, i))) {
        i = openString(text, i, text.slice(start, i), frames);
      } else if (length >= 2 && length <= 6 && c < 128 && KEYWORD_FIRST[c] === KEYWORD_START && NESTING_KEYWORDS.has(text.slice(start, i))) {
        const bracket = current();
        if (length === 6 && text.startsWith('lambda', start)) bracket.openLambdas++;
        nest(bracket);
        afterOperand = false;
      } else {
        afterOperand = true;
      }
    } else if (c === DQUOTE || c === QUOTE) {
      i = openString(text, i, '', frames);
    } else if (c === LF || c === CR) {
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      if (frames.length === 0) {
        endElement(top);
        lineStart = true;
        afterOperand = false;
      }
    } else if (c === HASH) {
      while (i < n && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
    } else if (c === BACKSLASH) {
      // A line continuation joins the next line to this statement.
      i += text.charCodeAt(i + 1) === CR && text.charCodeAt(i + 2) === LF ? 3 : 2;
    } else if (c < 128 && CLASSES[c] === OPEN_CLASS) {
      // A call or subscript after an operand nests like an operator: f()()() is f()() called.
      if (afterOperand) nest(current());
      openBracket(false);
      i++;
    } else if (c < 128 && CLASSES[c] === CLOSE_CLASS) {
      const closing = frame?.kind === 'bracket' ? frame : undefined;
      if (closing) {
        endElement(closing);
        frames.pop();
        brackets--;
      }
      // The end of an interpolation returns to its f-string, which is not an operand yet.
      afterOperand = !closing?.interpolation;
      i++;
    } else if (c === COMMA || c === SEMICOLON) {
      const bracket = current();
      if (c === SEMICOLON || bracket.openLambdas === 0) endElement(bracket);
      afterOperand = false;
      i++;
    } else if (c === COLON && frame?.kind === 'bracket' && frame.interpolation && text.charCodeAt(i + 1) !== EQUALS) {
      // `{value:spec}`: the spec is text (it may hold `#`, and `{...}` interpolations).
      frames.push({ kind: 'string', quote: '}', formatted: true });
      i++;
    } else if (c === COLON) {
      const bracket = current();
      if (bracket.openLambdas > 0) bracket.openLambdas--;
      if (text.charCodeAt(i + 1) === EQUALS) {
        nest(bracket);
        i++;
      }
      afterOperand = false;
      i++;
    } else if (c === DOT) {
      if (afterOperand) nest(current());
      afterOperand = false;
      i++;
    } else if (c < 128 && CLASSES[c] === OPERATOR_CLASS) {
      // Every operator character counts once: `--x` nests twice, `==` is counted twice (harmless).
      nest(current());
      afterOperand = false;
      i++;
    } else {
      // Anything else (`$`, `?`) is a stray token.
      afterOperand = true;
      i++;
    }
  }
  return result;
}

/** Pushes a string frame for the quote at `i` and returns the index after the opening quote. */
function openString(text: string, i: number, prefix: string, frames: Frame[]): number {
  const q = text[i];
  const quote = text[i + 1] === q && text[i + 2] === q ? q.repeat(3) : q;
  const lower = prefix.toLowerCase();
  frames.push({ kind: 'string', quote, formatted: lower.includes('f') || lower.includes('t') });
  return i + quote.length;
}
