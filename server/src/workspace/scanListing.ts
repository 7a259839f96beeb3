// The workspace scan's listing, held compactly. At 170,000 files a Map of full paths costs tens of
// megabytes that stay until the scan ends (the import closure asks it what exists); here each
// folder's path is stored once, each file name once however many folders hold it, and a file
// costs a few machine words: its id, folder, scanned folder and flag bits.
import * as path from 'path';

/** Bits a scan records per listed file. */
export const enum ListedFlag {
  /** Phase 1: the file's own text passed the pre-filter. */
  PassedPrefilter = 1,
  /** The import closure adds it: it imports, directly or not, a file that is analysed. */
  ImportsAnalysed = 2,
}

interface Folder {
  path: string;
  /** The names of its listed files, sorted as the walk sorts them (by UTF-16 code unit). */
  names: string[];
  /** The file id of each name. */
  ids: number[];
}

export class FileListing {
  private readonly folderIds = new Map<string, number>();
  private readonly folders: Folder[] = [];
  private readonly internedNames = new Map<string, string>();
  private fileFolder = new Int32Array(1024);
  private fileRoot = new Int32Array(1024);
  private fileFlags = new Uint8Array(1024);
  private readonly fileNames: string[] = [];

  /** Files listed; their ids are 0 to size - 1, in the order they were listed. */
  get size(): number {
    return this.fileNames.length;
  }

  /** Lists `name` in `dir` for scanned folder `root`: its new id, or undefined if it was listed already. */
  add(dir: string, name: string, root: number): number | undefined {
    let folderId = this.folderIds.get(dir);
    if (folderId === undefined) {
      folderId = this.folders.length;
      this.folderIds.set(dir, folderId);
      this.folders.push({ path: dir, names: [], ids: [] });
    }
    const folder = this.folders[folderId];
    const { names } = folder;
    // The walk gives a folder's names in order; only a second scanned folder holding this one inserts.
    let at = names.length;
    if (at > 0 && !(names[at - 1] < name)) {
      at = lowerBound(names, name);
      if (names[at] === name) return undefined;
    }
    const id = this.fileNames.length;
    let interned = this.internedNames.get(name);
    if (interned === undefined) this.internedNames.set(name, (interned = name));
    if (at === names.length) {
      names.push(interned);
      folder.ids.push(id);
    } else {
      names.splice(at, 0, interned);
      folder.ids.splice(at, 0, id);
    }
    this.fileNames.push(interned);
    if (id === this.fileFolder.length) this.grow();
    this.fileFolder[id] = folderId;
    this.fileRoot[id] = root;
    return id;
  }

  /** The id of a listed file, or undefined. */
  idOf(filePath: string): number | undefined {
    const slash = filePath.lastIndexOf(path.sep);
    if (slash < 0) return undefined;
    const folderId = this.folderIds.get(slash === 0 ? path.sep : filePath.slice(0, slash));
    if (folderId === undefined) return undefined;
    const { names, ids } = this.folders[folderId];
    const name = filePath.slice(slash + 1);
    const at = lowerBound(names, name);
    return names[at] === name ? ids[at] : undefined;
  }

  has(filePath: string): boolean {
    return this.idOf(filePath) !== undefined;
  }

  pathOf(id: number): string {
    const dir = this.folders[this.fileFolder[id]].path;
    return dir === path.sep ? `${dir}${this.fileNames[id]}` : `${dir}${path.sep}${this.fileNames[id]}`;
  }

  folderOf(id: number): string {
    return this.folders[this.fileFolder[id]].path;
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

  private grow(): void {
    const size = this.fileFolder.length * 2;
    const grown = <T extends Int32Array | Uint8Array>(from: T, to: T) => {
      to.set(from);
      return to;
    };
    this.fileFolder = grown(this.fileFolder, new Int32Array(size));
    this.fileRoot = grown(this.fileRoot, new Int32Array(size));
    this.fileFlags = grown(this.fileFlags, new Uint8Array(size));
  }
}

/** The first index whose name is not below `name`. */
function lowerBound(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (names[middle] < name) low = middle + 1;
    else high = middle;
  }
  return low;
}
