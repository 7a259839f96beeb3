// The server opens a rule's page shipped in the extension (docs/rules/*.md) with
// window/showDocument; VS Code would show Markdown source, so pages of the extension open in the
// Markdown preview instead. Any other document goes on to the default handling.
import * as path from 'path';
import * as vscode from 'vscode';
import { Middleware, ResponseError } from 'vscode-languageclient/node';

export function ruleDocsPreview(extensionPath: string): NonNullable<Middleware['window']> {
  const docsDir = path.join(extensionPath, 'docs', 'rules') + path.sep;
  return {
    showDocument: async (params, next) => {
      const uri = vscode.Uri.parse(params.uri);
      if (uri.scheme !== 'file' || !uri.fsPath.startsWith(docsDir) || !uri.fsPath.endsWith('.md')) {
        const result = await next(params, new vscode.CancellationTokenSource().token);
        return result instanceof ResponseError ? { success: false } : result;
      }
      await vscode.commands.executeCommand('markdown.showPreview', uri);
      return { success: true };
    },
  };
}
