// The last guard on the way out: an internal-error reply that vscode-languageserver built itself
// (a handler wrapper failing on malformed parameters, before the server's own code runs) carries
// the JavaScript error text. The client gets a generic message; the original goes to the log.
import { ErrorCodes, Message, MessageWriter, ResponseMessage } from 'vscode-languageserver';

export const GENERIC_ERROR_PREFIX = 'gRPC Fork Guard could not answer';

export class GenericErrorWriter implements MessageWriter {
  constructor(private readonly inner: MessageWriter, private readonly log: (message: string) => void) {}

  get onError(): MessageWriter['onError'] {
    return this.inner.onError;
  }

  get onClose(): MessageWriter['onClose'] {
    return this.inner.onClose;
  }

  write(message: Message): Promise<void> {
    const error = (message as ResponseMessage).error;
    if (error && error.code === ErrorCodes.InternalError && !error.message.startsWith(GENERIC_ERROR_PREFIX)) {
      this.log(`Internal error replied as a generic one: ${error.message}`);
      return this.inner.write({ ...message, error: { code: error.code, message: `${GENERIC_ERROR_PREFIX} this request; see its output for details.` } } as ResponseMessage);
    }
    return this.inner.write(message);
  }

  end(): void {
    this.inner.end();
  }

  dispose(): void {
    this.inner.dispose();
  }
}
