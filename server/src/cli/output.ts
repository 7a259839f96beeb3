// The CLI's output streams. A reader that stops reading (`grpc-fork-guard check | head -1`) ends
// the run quietly; any other failure to write (`> /dev/full`) is one clear line on stderr and exit
// code 2, whatever --exit-zero says: a report that was not written is not a passing check.
import * as fs from 'fs';
import { describeFileError } from '../workspace/textFiles';

export const EXIT_ERROR = 2;

export function guardOutputStreams(): void {
  process.stdout.on('error', onStdoutError);
  // With stderr gone too there is nowhere left to say anything.
  process.stderr.on('error', () => process.exit(EXIT_ERROR));
}

/** Writes to stdout; a synchronous failure (a file or a full disk) is handled like an emitted one. */
export function writeOut(text: string): void {
  try {
    process.stdout.write(text);
  } catch (error) {
    onStdoutError(error as NodeJS.ErrnoException);
  }
}

export function writeErr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    process.exit(EXIT_ERROR);
  }
}

function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  try {
    fs.writeSync(2, `grpc-fork-guard: error: cannot write the output: ${describeFileError(error)}\n`);
  } catch {
    // stderr is unusable too: the exit code has to say it.
  }
  process.exit(EXIT_ERROR);
}
