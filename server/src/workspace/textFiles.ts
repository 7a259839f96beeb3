// Reading workspace files, the one way every reader goes through (sources, imported modules,
// pyproject.toml, .gitignore, runner configuration files). Only regular files of bounded size are
// read: a FIFO, socket or device (directly or behind a symbolic link) would block or never end, so
// it is refused after a stat and never opened for a blocking read. Python source is UTF-8
// (PEP 3120); anything else is refused with a clear reason rather than analysed as mojibake.
import { isUtf8 } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { isNotebookPath } from '../engine/notebook/notebookInput';

/** Python files larger than this are skipped: generated code, not hand-written programs. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
/** pyproject.toml, .gitignore, Procfile and the like: anything larger is not a real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type FileRead = { bytes: Buffer } | { refused: string };

export interface ReadLimits {
  maxBytes: number;
  /** When set, a path inside this folder whose real location (after symbolic links) is outside it is refused. */
  within?: string;
  /**
   * Read into this buffer (grown as needed) instead of a new one: the bytes returned are then only
   * valid until its next use. The scan's workers read a hundred thousand files one after another;
   * a buffer per file leaves that many ArrayBuffers for the collector to find.
   */
  into?: ReadBuffer;
}

/** A buffer reused from one read to the next (ReadLimits.into). */
export class ReadBuffer {
  bytes = Buffer.allocUnsafeSlow(64 * 1024);

  /** Room for at least `size` bytes, keeping the first `kept`. */
  ensure(size: number, kept: number): Buffer {
    if (size > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(size, Math.min(2 * this.bytes.length, 64 * 1024 * 1024)));
      this.bytes.copy(grown, 0, 0, kept);
      this.bytes = grown;
    }
    return this.bytes;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a regular file, or why it was not read. Never throws, never blocks on a special file. */
export function readRegularFile(filePath: string, limits: ReadLimits): FileRead {
  let fd: number | undefined;
  try {
    const stat = fs.statSync(filePath);
    if (!stat.isFile()) return { refused: `not a regular file (${kindOf(stat)})` };
    if (stat.size > limits.maxBytes) return { refused: `larger than ${sizeText(limits.maxBytes)}` };
    // A path outside the folder was reached some other way (an importer's own folder): only links out are refused.
    if (limits.within !== undefined && isInside(path.resolve(filePath), limits.within) && !isInside(fs.realpathSync.native(filePath), realFolder(limits.within))) {
      return { refused: 'a symbolic link leading outside the project' };
    }
    // O_NONBLOCK: should the path become a FIFO between the stat and the open, open and read return at once.
    fd = fs.openSync(filePath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
    const opened = fs.fstatSync(fd);
    if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev) return { refused: 'replaced while being read' };
    const bytes = limits.into ? readInto(fd, limits.maxBytes + 1, stat.size + 1, limits.into) : readAtMost(fd, limits.maxBytes + 1, stat.size + 1);
    if (bytes.length > limits.maxBytes) return { refused: `larger than ${sizeText(limits.maxBytes)}` };
    return { bytes };
  } catch (error) {
    return { refused: describeFileError(error) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The bytes of a text file, checked, and its text decoded only when asked for. */
export type TextBytes = { bytes: Buffer; text(): string; encoding: SourceEncoding } | { refused: string };

/**
 * A text file's bytes (a BOM is dropped from the text), refused when binary or not decodable.
 * UTF-8 unless the file declares another encoding in its first two lines (PEP 263), as Python
 * reads it. The UTF-8 check runs natively on the bytes, so a file that is only searched is never
 * decoded.
 */
function readTextBytes(filePath: string, limits: ReadLimits): TextBytes {
  const read = readRegularFile(filePath, limits);
  if ('refused' in read) return read;
  const { bytes } = read;
  if (looksBinary(bytes)) return { refused: 'binary file' };
  if (isUtf8(bytes)) return { bytes, text: () => decodeUtf8(bytes), encoding: 'utf-8' };
  const declared = declaredEncoding(bytes);
  if (!declared || declared === 'utf-8') return { refused: 'not valid UTF-8' };
  const decoded = decodeDeclared(bytes, declared);
  if ('refused' in decoded) return decoded;
  return { bytes, text: () => decoded.text, encoding: declared };
}

/**
 * A Python source file, read the one way the workspace scan, the import closure and single-file
 * analysis all read it: the same refusals (not a regular file, too large, binary, not UTF-8).
 */
export function readSourceFile(filePath: string, within?: string, into?: ReadBuffer): TextBytes {
  return readTextBytes(filePath, { maxBytes: sourceByteLimit(filePath), within, into });
}

/**
 * Notebooks keep their outputs (plots, tables) beside the code, so they are often far larger than
 * the program in them; the program itself still meets the engine's size budget.
 */
export const MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024;

/** The largest file read for analysis: a notebook's limit or a source file's. */
export function sourceByteLimit(filePath: string): number {
  return isNotebookPath(filePath) ? MAX_NOTEBOOK_BYTES : MAX_SOURCE_BYTES;
}

export type TextRead = { text: string; bytes: Buffer; encoding: SourceEncoding } | { refused: string };

/** A text file, decoded (configuration files, modules the resolver reads, files to fix). */
export function readTextFile(filePath: string, limits: ReadLimits): TextRead {
  const read = readTextBytes(filePath, limits);
  return 'refused' in read ? read : { text: read.text(), bytes: read.bytes, encoding: read.encoding };
}

/** `utf-8`, or the encoding a PEP 263 comment declares, normalised (`latin-1`, `cp1252`, ...). */
export type SourceEncoding = string;

const LATIN_1 = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'iso-latin-1']);
const UTF_8 = new Set(['utf-8', 'utf8', 'utf-8-sig']);

/** PEP 263: `coding[:=]name` in a comment on line 1 or 2 (only an ASCII-compatible text can declare one). */
function declaredEncoding(bytes: Buffer): SourceEncoding | undefined {
  const head = bytes.subarray(0, Math.min(bytes.length, 1024)).toString('latin1').split(/\r\n|\r|\n/).slice(0, 2);
  for (const line of head) {
    const match = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (match) {
      const name = match[1].toLowerCase().replace(/_/g, '-');
      if (UTF_8.has(name)) return 'utf-8';
      return LATIN_1.has(name) ? 'latin-1' : name;
    }
    // Python looks at line 2 only when line 1 is a comment or blank.
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return undefined;
}

/** The text in a declared encoding, or why it cannot be had (an encoding Node does not know, bytes not valid in it). */
function decodeDeclared(bytes: Buffer, encoding: SourceEncoding): { text: string } | { refused: string } {
  // Latin-1 maps every byte to the code point of its value: exact both ways (see encodeLikeOriginal).
  if (encoding === 'latin-1') return { text: bytes.toString('latin1') };
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { refused: `it declares an encoding Node cannot decode: ${encoding}` };
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { refused: `not valid ${encoding}, the encoding it declares` };
  }
}

/** Valid UTF-8 (checked before) as text, without a byte order mark. */
function decodeUtf8(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A file with NUL bytes is binary, not Python source. */
function looksBinary(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 8000)).indexOf(0) >= 0;
}

/** One short phrase for a failed file operation: "no longer exists", "permission denied", ... */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'does not exist (deleted?)';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'a symbolic link loop';
    case 'ENOTDIR': return 'a folder on its path is not a folder';
    case 'EISDIR': return 'is a folder';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'on a read-only file system';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: return code ? `failed (${code})` : `failed (${(error as Error).message})`;
  }
}

export function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}

export function isInside(child: string, folder: string): boolean {
  const relative = path.relative(folder, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

const realFolders = new Map<string, string>();

/** A project folder with symbolic links resolved (cached: the same few are asked about again and again). */
function realFolder(folder: string): string {
  let real = realFolders.get(folder);
  if (real === undefined) {
    real = fs.realpathSync.native(folder);
    if (realFolders.size > 1000) realFolders.clear();
    realFolders.set(folder, real);
  }
  return real;
}

/** Up to `limit` bytes, whatever the size the stat said (the file may grow while it is read). */
function readAtMost(fd: number, limit: number, expected: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // After the expected bytes, the read that confirms the end needs no megabyte of its own.
    const chunk = Buffer.allocUnsafe(Math.min(limit - total, chunks.length === 0 ? expected : total < expected ? 1 << 12 : 1 << 20));
    const count = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (count === 0) break;
    chunks.push(count === chunk.length ? chunk : chunk.subarray(0, count));
    total += count;
    if (total >= limit) break;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/** readAtMost into a reused buffer: the returned bytes are a view of it. */
function readInto(fd: number, limit: number, expected: number, into: ReadBuffer): Buffer {
  let buffer = into.ensure(Math.min(limit, expected), 0);
  let total = 0;
  for (;;) {
    if (total === buffer.length) buffer = into.ensure(Math.min(limit, total + (1 << 20)), total);
    const count = fs.readSync(fd, buffer, total, Math.min(buffer.length, limit) - total, null);
    if (count === 0) break;
    total += count;
    if (total >= limit) break;
  }
  return buffer.subarray(0, total);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
