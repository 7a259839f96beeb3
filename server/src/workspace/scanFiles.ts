// Reading one file for the workspace scan: the same refusals as ProjectAnalysis.analyzeFile (not a
// regular file, too large, binary, not UTF-8), with the UTF-8 check done natively on the bytes so
// that files the pre-filter drops are never decoded.
import { isUtf8 } from 'buffer';
import { decodeUtf8, looksBinary, readRegularFile } from './textFiles';
import { sourceByteLimit } from './notebookAnalysis';

export type SourceRead = { bytes: Buffer; text(): string } | { skipped: string };

export function readSourceFile(filePath: string, within?: string): SourceRead {
  const read = readRegularFile(filePath, { maxBytes: sourceByteLimit(filePath), within });
  if ('refused' in read) return { skipped: read.refused };
  const { bytes } = read;
  if (looksBinary(bytes)) return { skipped: 'binary file' };
  if (!isUtf8(bytes)) return { skipped: 'not valid UTF-8' };
  return { bytes, text: () => decodeUtf8(bytes) };
}
