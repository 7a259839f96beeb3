// What one file may cost the engine, and the GF000 notice that says a file was not (fully)
// analysed. The CLI, the workspace scan and the language server use the same budgets.
import { Finding, NOT_ANALYSED } from './findings';

export interface AnalysisBudget {
  /** Larger files (UTF-8 bytes) are not parsed: generated code, not hand-written programs. */
  maxFileBytes: number;
  /** Parsing stops past this many milliseconds, and so do the rules not yet run. */
  timeMs: number;
}

export const DEFAULT_BUDGET: AnalysisBudget = {
  maxFileBytes: 5 * 1024 * 1024,
  timeMs: 10_000,
};

export function notAnalysed(message: string): Finding {
  return {
    code: NOT_ANALYSED,
    severity: 'information',
    message,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    related: [],
    fixes: [],
  };
}

/** A parse that failed; the parser has been replaced, so the next file parses normally. */
export class ParserFailure extends Error {}

/** The time budget ran out while parsing. */
export class BudgetExceeded extends Error {}

// The project's TypeScript lib has no WebAssembly types; Node has the class.
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;

/** A WebAssembly trap (`memory access out of bounds`, `unreachable`): the parser's memory may be broken. */
export function isWasmTrap(error: unknown): error is Error {
  return error instanceof WasmRuntimeError;
}

/**
 * Why an error thrown while parsing or analysing means "this file could not be analysed" rather
 * than a bug to pass on: a WebAssembly trap, a stack overflow, a parser failure, the time budget.
 */
export function failureReason(error: unknown): string | undefined {
  if (error instanceof RangeError) return `its syntax tree is too deep for the analyser (${error.message})`;
  if (isWasmTrap(error)) return `the parser failed (${error.message})`;
  if (error instanceof ParserFailure || error instanceof BudgetExceeded) return error.message;
  return undefined;
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
