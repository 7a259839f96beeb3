// Entry point VS Code loads in the extension host (extensionTestsPath): runs the *.test.js files
// next to this file with mocha and resolves or rejects, which sets the editor's exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

// The extension host forwards console.log arguments without formatting them, so format here.
function out(format: string, ...args: unknown[]): void {
  console.log(util.format(format, ...args));
}

/**
 * In the offline route (test/editor/launch/code-web) the output of the extension host reaches the
 * browser console mixed with the workbench's own log lines. The launcher sets
 * GFG_EDITOR_CONSOLE_TAG; tagging every line of test output lets it print exactly those lines.
 * Also formats all arguments, so console.log('%d', 1) in a test prints as in plain Node.
 */
function tagConsole(tag: string): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    const tagged = (...args: unknown[]) =>
      original(
        util
          .format(...args)
          .split('\n')
          .map((line) => tag + line)
          .join('\n'),
      );
    // The extension host defines the console methods as accessors; replace the property itself.
    Object.defineProperty(console, level, { value: tagged, writable: true, configurable: true, enumerable: true });
  }
}

/** Prints one line per test and `N passed, N failed` at the end (a line CI can pick up). */
class LineReporter {
  constructor(runner: Mocha.Runner) {
    const { EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } =
      Mocha.Runner.constants;
    let passed = 0;
    let failed = 0;
    let pending = 0;
    const failures: { title: string; err: Error }[] = [];
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) out('%s', suite.fullTitle());
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      passed++;
      out('  ok   %s (%dms)', test.title, test.duration ?? 0);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      failed++;
      failures.push({ title: test.fullTitle(), err });
      out('  FAIL %s', test.title);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      pending++;
      out('  skip %s', test.title);
    });
    runner.once(EVENT_RUN_END, () => {
      failures.forEach((f, i) => out('\n%d) %s\n%s', i + 1, f.title, f.err?.stack ?? String(f.err)));
      out('\n%d passed, %d failed%s', passed, failed, pending ? util.format(', %d skipped', pending) : '');
    });
  }
}

export async function run(): Promise<void> {
  if (process.env.GFG_EDITOR_CONSOLE_TAG) tagConsole(process.env.GFG_EDITOR_CONSOLE_TAG);
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: LineReporter as unknown as typeof Mocha.reporters.Base,
    timeout: Number(process.env.GFG_EDITOR_TEST_TIMEOUT || 30_000),
    grep: process.env.GFG_EDITOR_GREP || undefined,
    color: false,
  });
  const dir = __dirname;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(dir, f));
  }
  await new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}
