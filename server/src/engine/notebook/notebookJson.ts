// Reading an `.ipynb` file (nbformat 4 JSON) into its cells. Bad input is a problem to report,
// never an exception: the caller turns it into a GF000 notice.

export type CellKind = 'code' | 'markdown' | 'raw';

export interface NotebookCell {
  /** Position in the notebook's `cells` list (0-based), markdown and raw cells counted. */
  index: number;
  kind: CellKind;
  source: string;
  /** The cell's own language when the notebook records one (VS Code saves `metadata.vscode.languageId`). */
  language?: string;
}

export type NotebookRead =
  | { cells: NotebookCell[]; /** The kernel's language, when the notebook names one. */ language?: string }
  | { problem: string };

export function readNotebookJson(text: string): NotebookRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `not a Jupyter notebook: the file is not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(parsed)) return { problem: 'not a Jupyter notebook: the JSON is not an object' };
  if (!Array.isArray(parsed.cells)) {
    const old = Array.isArray(parsed.worksheets) ? ' (nbformat 3 notebooks keep cells in "worksheets"; convert it with `jupyter nbconvert --to notebook`)' : '';
    return { problem: `not a Jupyter notebook: it has no "cells" list${old}` };
  }
  const cells: NotebookCell[] = [];
  for (const [index, raw] of parsed.cells.entries()) {
    if (!isObject(raw)) return { problem: `cell ${index + 1} of the notebook is not a JSON object` };
    const kind = raw.cell_type;
    if (kind !== 'code' && kind !== 'markdown' && kind !== 'raw') return { problem: `cell ${index + 1} of the notebook has an unknown cell_type ${JSON.stringify(kind)}` };
    const source = sourceText(raw.source);
    if (source === undefined) return { problem: `cell ${index + 1} of the notebook has a "source" that is neither a string nor a list of strings` };
    const metadata = isObject(raw.metadata) ? raw.metadata : {};
    const vscode = isObject(metadata.vscode) ? metadata.vscode : {};
    cells.push({ index, kind, source, language: typeof vscode.languageId === 'string' ? vscode.languageId : undefined });
  }
  return { cells, language: kernelLanguage(parsed.metadata) };
}

/** nbformat allows a cell's source as one string or as a list of lines (each keeping its newline). */
function sourceText(source: unknown): string | undefined {
  if (source === undefined) return '';
  if (typeof source === 'string') return source;
  if (Array.isArray(source) && source.every((line) => typeof line === 'string')) return source.join('');
  return undefined;
}

function kernelLanguage(metadata: unknown): string | undefined {
  if (!isObject(metadata)) return undefined;
  const kernelspec = isObject(metadata.kernelspec) ? metadata.kernelspec : {};
  const info = isObject(metadata.language_info) ? metadata.language_info : {};
  const language = typeof kernelspec.language === 'string' ? kernelspec.language : info.name;
  return typeof language === 'string' ? language : undefined;
}

/** Python code cells: a notebook whose kernel is another language (R, Julia) has none. */
export function pythonCodeCells(read: { cells: NotebookCell[]; language?: string }): NotebookCell[] {
  if (read.language !== undefined && read.language.toLowerCase() !== 'python') return [];
  return read.cells.filter((cell) => cell.kind === 'code' && (cell.language === undefined || cell.language === 'python'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
