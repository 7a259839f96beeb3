// The workspace scan's listing, held compactly. At 170,000 files a Map of full paths costs tens of
// megabytes that stay until the scan ends (the import closure asks it what exists); here each
// folder's path is stored once, each file name once however many folders hold it, and a file
// costs a few machine words: its id, folder, scanned folder and flag bits. Few objects are made
// per file, which also keeps V8 from growing the main thread's young generation to its largest
// (what survives collections while the listing is built is what makes it grow).
import * as path from 'path';

/** Bits a scan records per listed file. */
export const enum ListedFlag {
  /** Phase 1: the file's own text passed the pre-filter. */
  PassedPrefilter = 1,
  /** The import closure adds it: it imports, directly or not, a file that is analysed. */
  ImportsAnalysed = 2,
}

export class FileListing {
  private readonly folderIds = new Map<string, number>();
  private readonly folderPaths: string[] = [];
  /**
   * A folder's files listed together (the walk gives them so) have consecutive ids, their names
   * sorted as the walk sorts them (by UTF-16 code unit): the first id and the count. A file listed
   * later (a second scanned folder holding this one, a file created since) goes to `stragglers`.
   */
  private folderFirst = new Int32Array(256);
  private folderCount = new Int32Array(256);
  private readonly stragglers = new Map<number, Map<string, number>>();
  private readonly internedNames = new Map<string, string>();
  private readonly fileNames: string[] = [];
  private fileFolder = new Int32Array(1024);
  private fileRoot = new Int32Array(1024);
  private fileFlags = new Uint8Array(1024);

  /** Files listed; their ids are 0 to size - 1, in the order they were listed. */
  get size(): number {
    return this.fileNames.length;
  }

  /** Lists `name` in `dir` for scanned folder `root`: its new id, or undefined if it was listed already. */
  add(dir: string, name: string, root: number): number | undefined {
    const id = this.fileNames.length;
    let folderId = this.folderIds.get(dir);
    if (folderId === undefined) {
      folderId = this.folderPaths.length;
      this.folderIds.set(dir, folderId);
      this.folderPaths.push(dir);
      if (folderId === this.folderFirst.length) {
        this.folderFirst = grown(this.folderFirst, new Int32Array(folderId * 2));
        this.folderCount = grown(this.folderCount, new Int32Array(folderId * 2));
      }
      this.folderFirst[folderId] = id;
    } else {
      if (this.find(folderId, name) !== undefined) return undefined;
    }
    const first = this.folderFirst[folderId];
    const count = this.folderCount[folderId];
    if (first + count === id && (count === 0 || this.fileNames[id - 1] < name)) {
      this.folderCount[folderId] = count + 1;
    } else {
      let late = this.stragglers.get(folderId);
      if (!late) this.stragglers.set(folderId, (late = new Map()));
      late.set(name, id);
    }
    let interned = this.internedNames.get(name);
    if (interned === undefined) this.internedNames.set(name, (interned = name));
    this.fileNames.push(interned);
    if (id === this.fileFolder.length) {
      const size = id * 2;
      this.fileFolder = grown(this.fileFolder, new Int32Array(size));
      this.fileRoot = grown(this.fileRoot, new Int32Array(size));
      this.fileFlags = grown(this.fileFlags, new Uint8Array(size));
    }
    this.fileFolder[id] = folderId;
    this.fileRoot[id] = root;
    return id;
  }

  /** The id of a listed file, or undefined. */
  idOf(filePath: string): number | undefined {
    const slash = filePath.lastIndexOf(path.sep);
    if (slash < 0) return undefined;
    const folderId = this.folderIds.get(slash === 0 ? path.sep : filePath.slice(0, slash));
    return folderId === undefined ? undefined : this.find(folderId, filePath.slice(slash + 1));
  }

  has(filePath: string): boolean {
    return this.idOf(filePath) !== undefined;
  }

  pathOf(id: number): string {
    const dir = this.folderPaths[this.fileFolder[id]];
    return dir === path.sep ? `${dir}${this.fileNames[id]}` : `${dir}${path.sep}${this.fileNames[id]}`;
  }

  folderOf(id: number): string {
    return this.folderPaths[this.fileFolder[id]];
  }

  nameOf(id: number): string {
    return this.fileNames[id];
  }

  /** The index of the scanned folder the file was listed under. */
  rootOf(id: number): number {
    return this.fileRoot[id];
  }

  hasFlag(id: number, flag: number): boolean {
    return (this.fileFlags[id] & flag) !== 0;
  }

  setFlag(id: number, flag: number): void {
    this.fileFlags[id] |= flag;
  }

  clearFlag(id: number, flag: number): void {
    this.fileFlags[id] &= ~flag;
  }

  private find(folderId: number, name: string): number | undefined {
    // Binary search over the folder's run of consecutive ids.
    let low = this.folderFirst[folderId];
    let high = low + this.folderCount[folderId];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.fileNames[middle] < name) low = middle + 1;
      else high = middle;
    }
    if (low < this.folderFirst[folderId] + this.folderCount[folderId] && this.fileNames[low] === name) return low;
    return this.stragglers.get(folderId)?.get(name);
  }
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
