// Every fixture through the real language server: open it, wait for its diagnostics, compare
// them with the fixture's `# expect:` comments. Configuration arrives as VS Code settings.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'vscode-uri';
import * as fs from 'node:fs';
import { RULES } from '../../server/src/engine/rules/registry';
import { fixtureCorpus, settingsFor } from '../support/fixtureCorpus';
import { TestClient, startServer } from '../support/lspClient';
import { fixturesDir } from '../support/paths';

const implemented = new Set<string>(RULES.map((r) => r.code));
const corpus = fixtureCorpus(implemented);
let client: TestClient;

before(async () => {
  // Each fixture workspace is a folder of a multi-root workspace, as a user would open it.
  const workspaces = path.join(fixturesDir, 'workspaces');
  const extraFolders = fs.existsSync(workspaces) ? fs.readdirSync(workspaces).map((d) => path.join(workspaces, d)).filter((d) => fs.statSync(d).isDirectory()) : [];
  client = await startServer(fixturesDir, { extraFolders });
  const byUri = new Map(corpus.map((f) => [URI.file(f.path).toString(), settingsFor(f.config)]));
  client.settingsFor = (scopeUri) => (scopeUri ? byUri.get(scopeUri) : undefined) ?? {};
});

after(async () => {
  if (client.process.exitCode === null) await client.shutdown();
});

test('every fixture: the server publishes exactly the expected diagnostics', async () => {
  const mismatches: string[] = [];
  // Files of one workspace are open together, as in an editor; each is closed after its check.
  for (const fixture of corpus) {
    const uri = URI.file(fixture.path).toString();
    const published = client.diagnostics(uri);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(fixture.path, 'utf8') } });
    const params = await published;
    const actual = [...new Set(params.diagnostics.map((d) => `${d.range.start.line + 1}:${d.code}`))].sort();
    if (JSON.stringify(actual) !== JSON.stringify(fixture.expected)) mismatches.push(`${path.relative(fixturesDir, fixture.path)}: expected [${fixture.expected}] got [${actual}]`);
    client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  assert.deepEqual(mismatches, []);
  assert.ok(corpus.length > 0);
});
