// Entry point of dist/server.js: `node dist/server.js --stdio` (any LSP client) or IPC (VS Code).
// The transport is built here rather than by vscode-languageserver so that two guards sit in front
// of the connection: ResyncingMessageReader (stdio: bad frames are dropped, not fatal) and
// LifecycleGate (no handler runs before `initialize` or after `shutdown`); and one behind it,
// GenericErrorWriter (no internal error text reaches the client).
//
// SIGTERM and SIGINT keep Node's default action on purpose: it ends the process, and with it every
// scan worker thread, at once, even while an analysis blocks the main thread; a JavaScript signal
// handler would wait for that analysis to finish.
import { format } from 'util';
import {
  IPCMessageReader, IPCMessageWriter, MessageReader, MessageWriter, ProposedFeatures, StreamMessageWriter, createConnection,
} from 'vscode-languageserver/node';
import { ArrivedVersions } from './arrivedVersions';
import { GenericErrorWriter } from './genericErrorWriter';
import { LifecycleGate } from './lifecycleGate';
import { FrameProblem, ResyncingMessageReader } from './resyncingReader';
import { GrpcForkGuardServer } from './server';

let server: GrpcForkGuardServer | undefined;
const transport = transportFromArguments(process.argv.slice(2));
if (!transport) {
  // --socket / --pipe: vscode-languageserver builds that transport itself.
  server = new GrpcForkGuardServer(createConnection(ProposedFeatures.all));
  server.listen();
} else {
  const arrived = new ArrivedVersions();
  const writer = new GenericErrorWriter(transport.writer, (message) => server?.logger.error(message));
  const gate = new LifecycleGate(transport.reader, writer, (message) => arrived.observe(message));
  const connection = createConnection(ProposedFeatures.all, gate, writer);
  server = new GrpcForkGuardServer(connection, undefined, arrived);
  if (transport.stdio) {
    // stdout carries the protocol: stray console output goes to the client's log instead.
    for (const level of ['log', 'info', 'debug'] as const) console[level] = (...args: unknown[]) => connection.console.log(format(...args));
    console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
    console.error = (...args: unknown[]) => connection.console.error(format(...args));
    // The client went away: as vscode-languageserver does for its own stdio transport.
    const exit = () => process.exit(gate.shutdownRequested ? 0 : 1);
    process.stdin.on('end', exit);
    process.stdin.on('close', exit);
  }
  server.listen();
}

// A bug in one handler or timer must not take the server (and every open file's diagnostics) down.
process.on('uncaughtException', (error) => server?.logger.error(`Uncaught exception: ${error?.stack ?? error}`));
process.on('unhandledRejection', (reason) => server?.logger.error(`Unhandled rejection: ${(reason as Error)?.stack ?? reason}`));

function transportFromArguments(args: string[]): { reader: MessageReader; writer: MessageWriter; stdio: boolean } | undefined {
  if (args.includes('--stdio')) {
    return { reader: new ResyncingMessageReader(process.stdin, reportDroppedInput), writer: new StreamMessageWriter(process.stdout), stdio: true };
  }
  if (args.includes('--node-ipc')) return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), stdio: false };
  return undefined;
}

/** Malformed input is logged, at most once a second (random bytes would flood the output). */
let dropped = { bytes: 0, reason: '', lastLog: 0 };
function reportDroppedInput(problem: FrameProblem): void {
  dropped.bytes += problem.droppedBytes;
  dropped.reason ||= problem.reason;
  const now = Date.now();
  if (now - dropped.lastLog < 1000) return;
  server?.logger.warn(`Dropped ${dropped.bytes} byte(s) of malformed input from the client (${dropped.reason}).`);
  dropped = { bytes: 0, reason: '', lastLog: now };
}
