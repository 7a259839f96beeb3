// Enforces the LSP lifecycle in front of the connection: before `initialize`, requests get
// -32002 (ServerNotInitialized) and notifications other than `exit` are dropped; a second
// `initialize` and requests after `shutdown` get -32600 (InvalidRequest). vscode-languageserver
// would otherwise run handlers on a server that has no analyser yet.
import {
  AbstractMessageReader, DataCallback, Disposable, ErrorCodes, Message, MessageReader, MessageWriter, ResponseMessage,
} from 'vscode-languageserver';

type Incoming = Message & { method?: unknown; id?: unknown; params?: unknown };

export class LifecycleGate extends AbstractMessageReader {
  private state: 'new' | 'initializing' | 'running' | 'shutDown' = 'new';

  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
    /** Sees every message that passes, as soon as it arrives (before the connection queues it). */
    private readonly observe: (message: Message) => void = () => undefined,
  ) {
    super();
    inner.onError((error) => this.fireError(error));
    inner.onClose(() => this.fireClose());
    inner.onPartialMessage((info) => this.firePartialMessage(info));
  }

  /** `shutdown` was requested: leaving now is the orderly way (exit code 0). */
  get shutdownRequested(): boolean {
    return this.state === 'shutDown';
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      const refusal = this.refusal(message as Incoming);
      if (refusal === 'drop') return;
      if (refusal) {
        void this.writer.write(refusal).catch(() => undefined);
        return;
      }
      this.observe(message);
      callback(message);
    });
  }

  /** Undefined when the message may pass; else 'drop' or the error response to send. */
  private refusal(message: Incoming): ResponseMessage | 'drop' | undefined {
    const { method } = message;
    const isRequest = typeof method === 'string' && 'id' in message && (typeof message.id === 'number' || typeof message.id === 'string');
    if (typeof method !== 'string') return undefined; // responses to the server's own requests
    if (method === 'exit') return undefined;

    if (this.state === 'new') {
      if (method === 'initialize' && isRequest) {
        this.state = 'initializing';
        return undefined;
      }
      return isRequest ? errorResponse(message.id as number | string, ErrorCodes.ServerNotInitialized, 'The server is not initialized yet.') : 'drop';
    }
    if (method === 'initialize') return isRequest ? errorResponse(message.id as number | string, ErrorCodes.InvalidRequest, 'The server is already initialized.') : 'drop';
    if (this.state === 'shutDown') return isRequest ? errorResponse(message.id as number | string, ErrorCodes.InvalidRequest, 'The server is shutting down.') : 'drop';
    if (method === 'shutdown' && isRequest) this.state = 'shutDown';
    // vscode-jsonrpc reads params.id of every cancellation unchecked, as the message arrives.
    if (method === '$/cancelRequest') {
      const id = (message.params as { id?: unknown } | null | undefined)?.id;
      if (typeof id !== 'number' && typeof id !== 'string') return isRequest ? errorResponse(message.id as number | string, ErrorCodes.InvalidParams, 'A cancellation needs the id of a request.') : 'drop';
    }
    return undefined;
  }

  override dispose(): void {
    super.dispose();
    this.inner.dispose();
  }
}

function errorResponse(id: number | string, code: number, message: string): ResponseMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
