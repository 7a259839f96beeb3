// Reading one file for the workspace scan: the same refusals as ProjectAnalysis.analyzeFile (too
// large, binary, not UTF-8), with the UTF-8 check done natively on the bytes so that files the
// pre-filter drops are never decoded.
import * as fs from 'fs';
import { isUtf8 } from 'buffer';
import { MAX_FILE_BYTES } from './projectAnalysis';
import { decodeUtf8 } from './textFiles';

export type SourceRead = { bytes: Buffer; text(): string } | { skipped: string };

export function readSourceFile(filePath: string): SourceRead {
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    fd = fs.openSync(filePath, 'r');
    if (fs.fstatSync(fd).size > MAX_FILE_BYTES) return { skipped: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
    bytes = fs.readFileSync(fd);
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  // looksBinary's test (a NUL byte in the first 8000), searched natively.
  if (bytes.subarray(0, 8000).indexOf(0) >= 0) return { skipped: 'binary file' };
  if (!isUtf8(bytes)) return { skipped: 'not valid UTF-8' };
  return { bytes, text: () => decodeUtf8(bytes) };
}
