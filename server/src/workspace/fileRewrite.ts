// Writing a fixed file back without ever losing the user's data. The new content goes to a fresh
// temporary file beside the target (created exclusively, under a random name), which then replaces
// the target by a rename: a reader, a crash or a second `fix` run sees the old file or the new one,
// never a mix. The target must still hold exactly the bytes the fix was computed from, checked just
// before the rename; otherwise it is left alone. A symbolic link is written through (the link stays
// a link); a file with other hard links is written in place after the same check, since a rename
// would split it from its other names. A read-only file is not forced.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SourceEncoding, describeFileError, readRegularFile } from './textFiles';

export type RewriteResult = { written: 'replaced' | 'in place' } | { notWritten: string };

/** Replaces the content of `file` by `replacement` if it still holds `expected`. Never throws. */
export function rewriteFile(file: string, expected: Buffer, replacement: Buffer): RewriteResult {
  let target: string;
  let stat: fs.Stats;
  try {
    target = fs.realpathSync.native(file);
    stat = fs.statSync(target);
  } catch (error) {
    return { notWritten: describeFileError(error) };
  }
  if (!stat.isFile()) return { notWritten: 'no longer a regular file' };
  if ((stat.mode & 0o222) === 0 || !isWritable(target)) return { notWritten: 'the file is read-only' };
  if (stat.nlink > 1) return writeInPlace(target, stat, expected, replacement);
  return replaceByRename(target, stat, expected, replacement);
}

function replaceByRename(target: string, stat: fs.Stats, expected: Buffer, replacement: Buffer): RewriteResult {
  const folder = path.dirname(target);
  const temporary = path.join(folder, `.${path.basename(target)}.${randomBytes(8).toString('hex')}.grpc-fork-guard.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    try {
      fd = fs.openSync(temporary, 'wx', 0o600);
    } catch (error) {
      return { notWritten: `cannot create a file in its folder: ${describeFileError(error)}` };
    }
    created = true;
    writeAll(fd, replacement);
    fs.fchmodSync(fd, stat.mode & 0o7777);
    // Only root can give a file away; anyone else's files are theirs already.
    if (process.getuid?.() === 0 && (stat.uid !== 0 || stat.gid !== 0)) fs.fchownSync(fd, stat.uid, stat.gid);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    const changed = changedSince(target, stat, expected);
    if (changed) return { notWritten: changed };
    fs.renameSync(temporary, target);
    created = false;
    return { written: 'replaced' };
  } catch (error) {
    return { notWritten: describeFileError(error) };
  } finally {
    if (fd !== undefined) closeQuietly(fd);
    if (created) removeQuietly(temporary);
  }
}

/** A hard-linked file keeps its identity: the bytes are overwritten, then the length is cut. */
function writeInPlace(target: string, stat: fs.Stats, expected: Buffer, replacement: Buffer): RewriteResult {
  const changed = changedSince(target, stat, expected);
  if (changed) return { notWritten: changed };
  let fd: number | undefined;
  try {
    fd = fs.openSync(target, fs.constants.O_RDWR | (fs.constants.O_NONBLOCK ?? 0));
    const opened = fs.fstatSync(fd);
    if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev) return { notWritten: 'it was replaced since it was read' };
    writeAll(fd, replacement, 0);
    fs.ftruncateSync(fd, replacement.length);
    fs.fsyncSync(fd);
    return { written: 'in place' };
  } catch (error) {
    return { notWritten: describeFileError(error) };
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Why the file may no longer be overwritten, or undefined when it still holds what was read. */
function changedSince(target: string, stat: fs.Stats, expected: Buffer): string | undefined {
  const now = readRegularFile(target, { maxBytes: expected.length });
  if ('refused' in now) return now.refused.startsWith('larger than') ? 'it changed since it was read' : now.refused;
  return now.bytes.equals(expected) ? undefined : 'it changed since it was read';
}

function isWritable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function writeAll(fd: number, bytes: Buffer, position?: number): void {
  for (let done = 0; done < bytes.length;) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is gone either way.
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone (or the folder became unwritable): nothing more can be done.
  }
}

/**
 * The fixed text encoded as the original was: its UTF-8 BOM kept, and its line endings when they
 * were all CRLF or all lone CR (the fixes insert lines ending in "\n").
 */
export function encodeLikeOriginal(original: Buffer, originalText: string, fixedText: string, encoding: SourceEncoding = 'utf-8'): Buffer {
  let text = fixedText;
  const hasLf = originalText.includes('\n');
  if (!hasLf && originalText.includes('\r')) {
    text = text.replace(/\r\n|\n/g, '\r');
  } else if (hasLf && !/(?<!\r)\n/.test(originalText)) {
    text = text.replace(/(?<!\r)\n/g, '\r\n');
  }
  if (encoding === 'latin-1') {
    const encoded = Buffer.from(text, 'latin1');
    // A character past U+00FF has no Latin-1 byte: refuse rather than write a different text.
    if (encoded.toString('latin1') !== text) throw new Error('the fixed text has characters Latin-1 cannot hold');
    return encoded;
  }
  if (encoding !== 'utf-8') throw new Error(`fixes are written only to UTF-8 and Latin-1 files (this one declares ${encoding})`);
  const bom = original.length >= 3 && original[0] === 0xef && original[1] === 0xbb && original[2] === 0xbf;
  return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}
