/// <reference types="mocha" />
// "Run File with Fork Check" in a real VS Code: the run's findings appear tagged "seen at run time",
// a static finding the run saw says "confirmed at run time" on hover, and an edit clears the run's.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { closeAllEditors, codeOf, eventually, screenshotOnFailure, waitForDiagnostics, writeWorkspaceFile } from '../support/vscode';

const PYTHON = '/usr/bin/python3';
const RUN_TIME_SOURCE = 'grpc-fork-guard (seen at run time)';
const PROGRAM = [
  'import os',
  'import grpc',
  '',
  'channel = grpc.insecure_channel("127.0.0.1:1")',
  'pid = os.fork()',
  'if pid == 0:',
  '    os._exit(0)',
  'os.waitpid(pid, 0)',
  'channel.close()',
  '',
].join('\n');

const runTime = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === RUN_TIME_SOURCE);

suite('run file with fork check', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await closeAllEditors();
  });

  test('run-time findings appear tagged, static ones are confirmed on hover, an edit clears them', async function () {
    this.timeout(120_000);
    const probe = spawnSync(PYTHON, ['-c', 'import grpc'], { timeout: 30_000 });
    if (probe.error || probe.status !== 0) this.skip(); // needs Debian's python3-grpcio, as the runtime tier does
    const uri = await writeWorkspaceFile(`editor-copies/run_check_${randomBytes(4).toString('hex')}.py`, PROGRAM);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'GF101'));

    const outcome = await vscode.commands.executeCommand<{ exitCode: number | null; findings: number }>('grpcForkGuard.runFileWithForkCheck', { python: PYTHON });
    assert.ok(outcome, 'the command returns the outcome of the run');
    assert.equal(outcome.exitCode, 0);
    const seen = runTime(uri);
    assert.deepEqual(seen.map(codeOf), ['GF101']);
    assert.equal(seen[0].range.start.line, 3);
    assert.match(seen[0].message, /confirmed/);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(3, 14));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /confirmed at run time/);

    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '# edited\n'));
    await eventually('the run-time diagnostics are gone after an edit', () => (runTime(uri).length === 0 ? true : undefined));
  });
});
