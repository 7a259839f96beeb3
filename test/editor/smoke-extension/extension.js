// Minimal extension: activates on Python files, offers one command, reports its activation.
const vscode = require('vscode');

function activate(context) {
  const pythonDocuments = vscode.workspace.textDocuments.filter((d) => d.languageId === 'python').length;
  context.subscriptions.push(vscode.commands.registerCommand('gfgSmoke.ping', () => 'pong'));
  return { pythonDocuments, nodeVersion: process.version };
}

function deactivate() {}

module.exports = { activate, deactivate };
