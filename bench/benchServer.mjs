// The bundled language server, started over stdio for the benchmarks (bench/run.mjs,
// bench/editor.mjs): a minimal client that answers the server's requests, records the last
// diagnostics published per document, and can wait for one that a test accepts.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `settings`: what `workspace/configuration` answers; `env`: added to the server's environment. */
export async function startServer(serverJs, folder, settings, env = {}) {
  const { StreamMessageReader, StreamMessageWriter, createMessageConnection } = require('vscode-jsonrpc/node');
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const listeners = [];
  const published = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    published.set(params.uri, params);
    for (const listener of [...listeners]) listener(params);
  });
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => settings));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.onNotification('$/progress', () => undefined);
  connection.listen();
  const rootUri = `file://${folder}`;
  await connection.sendRequest('initialize', {
    processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
  });
  connection.sendNotification('initialized', {});
  const waitFor = (accept) => new Promise((resolve) => {
    const listener = (params) => {
      if (!accept(params)) return;
      listeners.splice(listeners.indexOf(listener), 1);
      resolve(params);
    };
    listeners.push(listener);
  });
  const open = async (file, text = fs.readFileSync(file, 'utf8')) => {
    const uri = `file://${file}`;
    const done = waitFor((p) => p.uri === uri);
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await done;
  };
  const stop = async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    await new Promise((resolve) => child.on('exit', resolve));
  };
  return { connection, child, published, waitFor, open, stop };
}

/** A process's resident set size in MB (`key` VmRSS) or its peak (`VmHWM`), from /proc. */
export function procStatusMb(pid, key = 'VmRSS') {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
  return Number(line.split(/\s+/)[1]) / 1024;
}
