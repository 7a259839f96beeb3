// Protocol tier: what the server writes to the client's output channel (window/logMessage): its
// version at start-up, where each project's configuration comes from, every analysis at debug
// level; and a change of `grpcForkGuard.logLevel` applies at once (workspace/didChangeConfiguration).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestClient, startServer } from '../support/lspClient';
import { examplesDir, repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-output-'));
const withPyproject = path.join(scratch, 'configured');
const withSettings = path.join(scratch, 'plain');
const source = fs.readFileSync(path.join(examplesDir, 'pool_worker_channel.py'), 'utf8');
for (const folder of [withPyproject, withSettings]) {
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'app.py'), source);
}
fs.writeFileSync(path.join(withPyproject, 'pyproject.toml'), '[tool.grpc-fork-guard]\nignore = ["GF102"]\n');
const configuredUri = `file://${withPyproject}/app.py`;
const plainUri = `file://${withSettings}/app.py`;
const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

let client: TestClient;

async function open(uri: string): Promise<void> {
  const published = client.diagnostics(uri, () => true, 30_000);
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: source } });
  await published;
}

/** Sends a settings change and waits until both open documents were analysed again. */
async function changeSettings(settings: Record<string, unknown>): Promise<void> {
  client.settings = settings;
  const republished = [client.diagnostics(configuredUri, () => true, 30_000), client.diagnostics(plainUri, () => true, 30_000)];
  client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await Promise.all(republished);
}

describe('output channel', () => {
  before(async () => {
    client = await startServer(withPyproject, { extraFolders: [withSettings] });
    // The folder without a pyproject.toml has an editor setting of its own.
    client.settingsFor = (scopeUri) => scopeUri?.startsWith(`file://${withSettings}`) ? { ...client.settings, select: ['GF101'] } : client.settings;
  });

  after(async () => {
    if (client.process.exitCode === null) await client.shutdown().catch(() => client.process.kill());
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('the start-up line names the version', async () => {
    await open(configuredUri);
    assert.ok(client.logs.some((line) => line.includes(`gRPC Fork Guard server ${version} started`)), client.logs.join('\n'));
  });

  test('each project says where its configuration comes from: its pyproject.toml, or the settings', async () => {
    await open(plainUri);
    const configured = client.logs.find((line) => line.includes(`Configuration of ${withPyproject}:`));
    assert.ok(configured?.includes(`[tool.grpc-fork-guard] of ${path.join(withPyproject, 'pyproject.toml')}`), client.logs.join('\n'));
    const plain = client.logs.find((line) => line.includes(`Configuration of ${withSettings}:`));
    assert.ok(plain?.includes('settings grpcForkGuard.select'), client.logs.join('\n'));
    assert.ok(!plain!.includes('pyproject.toml'), plain);
  });

  test('at the default level (info) analyses are not logged', () => {
    assert.ok(!client.logs.some((line) => line.includes('[debug]')), client.logs.join('\n'));
  });

  test('logLevel debug applies at once: every analysis is logged', async () => {
    const before = client.logs.length;
    await changeSettings({ logLevel: 'debug' });
    const added = client.logs.slice(before);
    for (const uri of [configuredUri, plainUri]) {
      assert.ok(added.some((line) => /\[debug\] Analysed /.test(line) && line.includes(uri)), `no debug line for ${uri}:\n${added.join('\n')}`);
    }
  });

  test('logLevel error applies at once: nothing below errors is logged any more', async () => {
    const before = client.logs.length;
    await changeSettings({ logLevel: 'error' });
    const added = client.logs.slice(before);
    assert.deepEqual(added.filter((line) => !line.includes('[error]')), []);
  });

  test('an unknown logLevel is reported and the level stays', async () => {
    await changeSettings({ logLevel: 'debug' });
    const before = client.logs.length;
    await changeSettings({ logLevel: 'loud' });
    const added = client.logs.slice(before);
    assert.ok(added.some((line) => line.includes('grpcForkGuard.logLevel: unknown level "loud"')), added.join('\n'));
    assert.ok(added.some((line) => /\[debug\] Analysed /.test(line)), added.join('\n'));
  });
});
