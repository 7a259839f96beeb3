// Entry point of dist/server.js: `node dist/server.js --stdio` (any LSP client) or IPC (VS Code).
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { GrpcForkGuardServer } from './server';

const connection = createConnection(ProposedFeatures.all);
new GrpcForkGuardServer(connection).listen();
