// Reads LSP messages from a byte stream (stdio) and survives a broken peer: a malformed header, a
// lying Content-Length or a body that is not a JSON object is dropped, and reading resumes at the
// next `Content-Length:` header. vscode-jsonrpc's own reader trusts the length it is given, so one
// bad frame would leave it waiting for bytes that never come (the server alive but deaf).
//
// Why resynchronising is safe: a raw `Content-Length: <digits>` line cannot occur inside a valid
// JSON body (outside strings it is no JSON token; inside a string its line break would have to be
// escaped). So such a line inside a body proves the body's length lied.
import type { Readable } from 'stream';
import { AbstractMessageReader, DataCallback, Disposable, Message } from 'vscode-languageserver';

const HEADER_NAME = Buffer.from('Content-Length:', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** A header block longer than this is garbage, not a header. */
const MAX_HEADER_BYTES = 4096;
/** Larger bodies are refused (a 20 MB file's didOpen is about 21 MB of JSON). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
const HEADER_LINE = /^[A-Za-z0-9-]+:[^\r\n]*$/;
const EMBEDDED_HEADER = /^Content-Length:[ \t]*\d+\r\n/i;
/** Enough bytes to see a whole `Content-Length: <digits>` line. */
const HEADER_PROBE_BYTES = 40;

export interface FrameProblem {
  reason: string;
  droppedBytes: number;
}

/** Splits bytes into JSON-RPC messages, dropping what cannot be one. Pure: no streams, no timers. */
export class MessageFramer {
  private readonly bytes = new ByteQueue();
  /** Of the current frame: its body's start and length once the header is parsed. */
  private bodyStart = -1;
  private bodyLength = 0;
  /** How far the current body was searched for an embedded header (chunks arrive one by one). */
  private searchedTo = 0;

  constructor(
    private readonly onMessage: (message: Message) => void,
    private readonly onProblem: (problem: FrameProblem) => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    this.bytes.append(chunk);
    while (this.step()) { /* one frame (or one piece of garbage) per step */ }
  }

  /** Bytes held back, waiting for the rest of a frame. */
  get pending(): number {
    return this.bytes.length;
  }

  private get buffer(): Buffer {
    return this.bytes.view();
  }

  /** Consumes one frame or one piece of garbage; false when it needs more bytes. */
  private step(): boolean {
    if (this.bodyStart < 0) return this.readHeader();
    const available = Math.min(this.buffer.length, this.bodyStart + this.bodyLength);
    const embedded = this.findHeader(Math.max(this.bodyStart, this.searchedTo - HEADER_PROBE_BYTES), available, true);
    if (embedded >= 0) {
      this.drop(embedded, 'Content-Length larger than the body (the next header starts inside it)');
      return true;
    }
    this.searchedTo = available;
    if (this.buffer.length < this.bodyStart + this.bodyLength) return false;
    const end = this.bodyStart + this.bodyLength;
    const message = parseMessage(this.buffer.subarray(this.bodyStart, end));
    if (message) {
      this.bytes.consume(end);
      this.resetFrame();
      try {
        this.onMessage(message);
      } catch (error) {
        // vscode-jsonrpc throws on some malformed messages (a $/cancelRequest without params);
        // the frames after it in this chunk must still be read.
        this.onProblem({ reason: `message refused: ${(error as Error)?.message ?? error}`, droppedBytes: end });
      }
    } else {
      // The body is not a message; what follows its header may still hold the next real frame.
      const bodyStart = this.bodyStart;
      this.resetFrame();
      this.drop(bodyStart, 'body is not a JSON-RPC message (bad JSON or a lying Content-Length)');
    }
    return true;
  }

  private readHeader(): boolean {
    const start = this.findHeader(0, this.buffer.length, false);
    if (start < 0) {
      // Keep a tail that may be the start of a header cut by the chunk boundary.
      const keep = Math.min(this.buffer.length, HEADER_NAME.length - 1);
      if (this.buffer.length > keep) this.drop(this.buffer.length - keep, 'bytes outside any message', true);
      return false;
    }
    if (start > 0) this.drop(start, 'bytes outside any message', true);
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0 || end > MAX_HEADER_BYTES) {
      if (end < 0 && this.buffer.length < MAX_HEADER_BYTES) return false;
      this.drop(1, 'malformed header');
      return true;
    }
    const length = contentLength(this.buffer.subarray(0, end).toString('latin1'));
    if (length === undefined) {
      this.drop(1, 'malformed header');
      return true;
    }
    this.bodyStart = end + HEADER_END.length;
    this.bodyLength = length;
    this.searchedTo = this.bodyStart;
    return true;
  }

  /** The first `Content-Length:` in [from, to); with `complete`, only one followed by digits and a line end. */
  private findHeader(from: number, to: number, complete: boolean): number {
    for (let at = this.buffer.indexOf(HEADER_NAME, from); at >= 0 && at < to; at = this.buffer.indexOf(HEADER_NAME, at + 1)) {
      if (!complete) return at;
      if (EMBEDDED_HEADER.test(this.buffer.subarray(at, at + HEADER_PROBE_BYTES).toString('latin1'))) return at;
    }
    return -1;
  }

  private drop(count: number, reason: string, quietIfBlank = false): void {
    const blank = quietIfBlank && this.buffer.subarray(0, count).toString('latin1').trim() === '';
    this.bytes.consume(count);
    this.resetFrame();
    if (blank) return;
    this.onProblem({ reason, droppedBytes: count });
  }

  private resetFrame(): void {
    this.bodyStart = -1;
    this.bodyLength = 0;
    this.searchedTo = 0;
  }
}

/** A byte buffer appended at the end and consumed at the front, grown by doubling: large bodies arrive in many chunks. */
class ByteQueue {
  private data = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  append(chunk: Buffer): void {
    if (this.end + chunk.length > this.data.length) {
      const needed = this.length + chunk.length;
      const next = needed > this.data.length / 2 ? Buffer.allocUnsafe(Math.max(needed * 2, 65536)) : this.data;
      this.data.copy(next, 0, this.start, this.end);
      this.data = next;
      this.end = this.length;
      this.start = 0;
    }
    chunk.copy(this.data, this.end);
    this.end += chunk.length;
  }

  consume(count: number): void {
    this.start += count;
    if (this.start < this.end) return;
    this.start = this.end = 0;
    // A 20 MB message leaves no 40 MB buffer behind.
    if (this.data.length > 1024 * 1024) this.data = Buffer.alloc(0);
  }
}

/** The Content-Length of a header block, when every line is a header and the length is sane. */
function contentLength(header: string): number | undefined {
  // Another header name inside a line means an unterminated header ran into the next frame.
  for (let at = header.indexOf('Content-Length:', 1); at >= 0; at = header.indexOf('Content-Length:', at + 1)) {
    if (header.slice(at - 2, at) !== '\r\n') return undefined;
  }
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    if (!HEADER_LINE.test(line)) return undefined;
    const colon = line.indexOf(':');
    if (line.slice(0, colon).toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(value)) return undefined;
    length = Number(value);
  }
  return length !== undefined && length > 0 && length <= MAX_BODY_BYTES ? length : undefined;
}

function parseMessage(body: Buffer): Message | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Message;
  } catch {
    return undefined;
  }
}

/** A MessageReader over a stream (the server's stdin) that resynchronises after bad frames. */
export class ResyncingMessageReader extends AbstractMessageReader {
  constructor(private readonly readable: Readable, private readonly onProblem: (problem: FrameProblem) => void = () => undefined) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const framer = new MessageFramer(callback, this.onProblem);
    const onData = (chunk: Buffer) => framer.push(chunk);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return {
      dispose: () => {
        this.readable.off('data', onData);
        this.readable.off('error', onError);
        this.readable.off('end', onClose);
        this.readable.off('close', onClose);
      },
    };
  }
}
