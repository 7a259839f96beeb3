// Open documents and their tree-sitter trees. Each incremental change is applied to the text
// and, through `tree.edit`, to the previous tree, so the next parse reuses everything unchanged.
import type { Tree } from 'web-tree-sitter';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analyzer } from '../engine/analyzer';
import type { CarryOverBasis } from '../engine/carryOver';
import { forgetTree } from '../engine/model/syntax';

export interface OpenDocument {
  document: TextDocument;
  /** The tree of `document`'s current text, or undefined until the next parse. */
  tree?: Tree;
  /** The previous tree, edited to match the current text, for an incremental parse. */
  editedTree?: Tree;
  /** The last analysis's basis for carrying its findings over, and what else they depended on (documentAnalysis.ts). */
  carry?: { basis: CarryOverBasis; settingsKey: string; world: number };
  /** How many changes this document had: the world mark leaves them out. */
  ownChanges: number;
}

/** Told of every document event, in order (the analysis thread mirrors the documents). */
export interface DocumentListener {
  open(uri: string, languageId: string, version: number, text: string): void;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[], text: () => string): void;
  close(uri: string): void;
}

export class DocumentTrees {
  private readonly documents = new Map<string, OpenDocument>();
  /** Documents whose tree was used, least recent first: the others' trees are freed by trim(). */
  private readonly recent = new Set<OpenDocument>();
  /** Every open, change and close, and every file changed on disk: what may change any document's analysis. */
  private events = 0;

  constructor(private readonly analyzer: () => Analyzer | undefined, private readonly listener?: DocumentListener) {}

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    this.events++;
    const entry: OpenDocument = { document: TextDocument.create(uri, languageId, version, text), ownChanges: 0 };
    this.documents.set(uri, entry);
    this.listener?.open(uri, languageId, version, text);
    return entry;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.documents.get(uri);
    if (!entry) return undefined;
    this.events++;
    entry.ownChanges++;
    for (const change of changes) {
      const tree = entry.tree ?? entry.editedTree;
      if (!('range' in change) || !change.range) {
        // A full-text change: nothing of the old tree can be reused.
        entry.document = TextDocument.update(entry.document, [change], version);
        entry.tree = undefined;
        entry.editedTree = undefined;
        continue;
      }
      // Offsets in the text before the change: TextDocument.update changes the document in place.
      const startIndex = entry.document.offsetAt(change.range.start);
      const oldEndIndex = entry.document.offsetAt(change.range.end);
      const start = entry.document.positionAt(startIndex);
      const oldEnd = entry.document.positionAt(oldEndIndex);
      entry.document = TextDocument.update(entry.document, [change], version);
      if (!tree) continue;
      const newEndIndex = startIndex + change.text.length;
      const newEnd = entry.document.positionAt(newEndIndex);
      forgetTree(tree);
      tree.edit({
        startIndex, oldEndIndex, newEndIndex,
        startPosition: { row: start.line, column: start.character },
        oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
        newEndPosition: { row: newEnd.line, column: newEnd.character },
      });
      entry.editedTree = tree;
      entry.tree = undefined;
    }
    this.listener?.change(uri, version, changes, () => entry.document.getText());
    return entry;
  }

  close(uri: string): void {
    const entry = this.documents.get(uri);
    if (!entry) return;
    this.events++;
    this.listener?.close(uri);
    this.dropTrees(entry);
    this.documents.delete(uri);
  }

  /** A file changed on disk (a module the documents may import, a configuration file). */
  invalidated(): void {
    this.events++;
  }

  /**
   * What has happened to everything but the document's own text: equal marks at two analyses mean
   * only the document's edits lie between them.
   */
  worldMark(entry: OpenDocument): number {
    return this.events - entry.ownChanges;
  }

  get(uri: string): OpenDocument | undefined {
    return this.documents.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.documents.values()];
  }

  /** The up-to-date tree of a document, parsing incrementally when the text changed. */
  treeOf(entry: OpenDocument, deadline?: number): Tree | undefined {
    this.recent.delete(entry);
    this.recent.add(entry);
    if (entry.tree) return entry.tree;
    const analyzer = this.analyzer();
    if (!analyzer) return undefined;
    const old = entry.editedTree;
    entry.tree = analyzer.parse(entry.document.getText(), old, deadline);
    if (old && old !== entry.tree) old.delete();
    entry.editedTree = undefined;
    return entry.tree;
  }

  /**
   * Frees the trees of all but the `keep` documents used last: a tree costs WebAssembly memory
   * that is never given back, and only a document being typed in gains from keeping one (its
   * next parse is incremental). The others are parsed again from their text when needed. Called
   * between analyses, never during one (the analysis holds the tree's nodes).
   */
  trim(keep: number): void {
    for (const entry of this.recent) {
      if (this.recent.size <= keep) return;
      this.dropTrees(entry);
    }
  }

  private dropTrees(entry: OpenDocument): void {
    entry.tree?.delete();
    if (entry.editedTree && entry.editedTree !== entry.tree) entry.editedTree.delete();
    entry.tree = undefined;
    entry.editedTree = undefined;
    this.recent.delete(entry);
  }
}
