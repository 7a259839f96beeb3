// Resolves imports to workspace files on disk, as Python's sys.path would: the importing file's
// folder, the project root and its src/ folder. Parsed modules are cached by path and mtime; the
// language server supplies the text of open documents, which wins over the disk.
import * as fs from 'fs';
import * as path from 'path';
import type { Tree } from 'web-tree-sitter';
import type { ModuleResolver } from '../engine/model/imports';
import type { SourceFile } from '../engine/model/sourceFile';
import { decodeUtf8 } from './textFiles';

export interface ModuleSource {
  parse(text: string): Tree;
  /** Text of an open, possibly unsaved document. */
  openText?(path: string): string | undefined;
}

export class DiskModuleResolver implements ModuleResolver {
  private readonly cache = new Map<string, { stamp: string; file: SourceFile | undefined }>();

  constructor(private readonly projectRoot: string, private readonly source: ModuleSource) {}

  resolve(fromPath: string, module: string): string | undefined {
    const dots = /^\.*/.exec(module)![0].length;
    const parts = module.slice(dots).split('.').filter(Boolean);
    if (dots > 0) {
      let base = path.dirname(fromPath);
      for (let i = 1; i < dots; i++) base = path.dirname(base);
      return findModule(base, parts);
    }
    const roots = [path.dirname(fromPath), this.projectRoot, path.join(this.projectRoot, 'src')];
    for (const root of roots) {
      const found = findModule(root, parts);
      if (found) return found;
    }
    return undefined;
  }

  load(filePath: string): SourceFile | undefined {
    const open = this.source.openText?.(filePath);
    let stamp: string;
    try {
      stamp = open !== undefined ? `open:${open.length}:${hash(open)}` : `disk:${fs.statSync(filePath).mtimeMs}`;
    } catch {
      return undefined;
    }
    const cached = this.cache.get(filePath);
    if (cached && cached.stamp === stamp) return cached.file;
    let text = open;
    if (text === undefined) {
      try {
        text = decodeUtf8(fs.readFileSync(filePath));
      } catch {
        text = undefined;
      }
    }
    const file = text === undefined ? undefined : { path: filePath, text, tree: this.source.parse(text) };
    this.cache.set(filePath, { stamp, file });
    return file;
  }

  invalidate(filePath: string): void {
    this.cache.delete(filePath);
  }
}

function findModule(root: string, parts: string[]): string | undefined {
  if (parts.length === 0) {
    const init = path.join(root, '__init__.py');
    return fs.existsSync(init) ? init : undefined;
  }
  const base = path.join(root, ...parts);
  for (const candidate of [`${base}.py`, path.join(base, '__init__.py')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}
