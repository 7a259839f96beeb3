// Loads web-tree-sitter and the Python grammar once per process. A missing or corrupt grammar
// becomes one GrammarLoadError with a message that says which file and what to do; callers show
// it once instead of retrying in a loop.
import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';

const RUNTIME_WASM = 'tree-sitter.wasm';
const PYTHON_WASM = 'tree-sitter-python.wasm';

export class GrammarLoadError extends Error {}

let loaded: Promise<Language> | undefined;

/** The folder holding the grammar: `grammars/` beside `dist/` in the VSIX and in a checkout. */
function defaultGrammarDir(): string {
  const candidates = [path.join(__dirname, '..', 'grammars'), path.join(__dirname, '..', '..', '..', 'grammars')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, PYTHON_WASM))) ?? candidates[0];
}

export function loadPythonLanguage(grammarDir = defaultGrammarDir()): Promise<Language> {
  loaded ??= load(grammarDir);
  return loaded;
}

async function load(grammarDir: string): Promise<Language> {
  const runtime = path.join(grammarDir, RUNTIME_WASM);
  const grammar = path.join(grammarDir, PYTHON_WASM);
  for (const file of [runtime, grammar]) {
    if (!fs.existsSync(file)) {
      throw new GrammarLoadError(`The Python grammar could not be loaded: ${file} is missing. Rebuild with "npm run build" or reinstall the extension.`);
    }
  }
  try {
    await Parser.init({ locateFile: () => runtime });
    return await Language.load(fs.readFileSync(grammar));
  } catch (error) {
    throw new GrammarLoadError(`The Python grammar could not be loaded from ${grammarDir}: ${(error as Error).message}. The file may be corrupt; rebuild with "npm run build" or reinstall the extension.`);
  }
}

export function parserFor(language: Language): Parser {
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/**
 * Python, LSP and the engine's fixes end a line at `\r\n`, `\n` or a lone `\r`; tree-sitter only
 * at `\n`. Both are one UTF-16 unit, so swapping them keeps every offset and makes tree rows
 * match line numbers.
 */
export function textForParser(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}
