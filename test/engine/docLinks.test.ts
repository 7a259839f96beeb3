// The README and docs/ point only at what the repository has: every relative link (and its
// #anchor), every repository path in inline code; the project's web links all name the one
// repository package.json names; the README's first commands are the ones CI and npm run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { REPOSITORY_URL, repositoryFileUrl } from '../../server/src/engine/projectLinks';
import { RULES, ruleDocsUrl } from '../../server/src/engine/rules/registry';
import { FindingCode, NOT_ANALYSED } from '../../server/src/engine/findings';
import { repoRoot } from '../support/paths';

/** Files of the repository: tracked or new, never what .gitignore leaves out (dist/, out/, ...). */
function repositoryFiles(): Set<string> {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.equal(listed.status, 0, `git ls-files failed: ${listed.stderr}`);
  return new Set(listed.stdout.split('\0').filter(Boolean).filter((f) => fs.existsSync(path.join(repoRoot, f))));
}

const files = repositoryFiles();
const folders = new Set([...files].flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
const pages = [...files].filter((f) => f === 'README.md' || f === 'CHANGELOG.md' || (f.startsWith('docs/') && f.endsWith('.md'))).sort();

/** The text without fenced code blocks, which hold examples, not references. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = prose(fs.readFileSync(path.join(repoRoot, file), 'utf8'));
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));
}

function exists(relative: string): boolean {
  const clean = relative.replace(/\/$/, '');
  return files.has(clean) || folders.has(clean);
}

describe('documentation links', () => {
  test('there are pages to check', () => {
    for (const needed of ['README.md', 'CHANGELOG.md', 'docs/configuration.md', 'docs/testing.md', 'docs/architecture.md', 'docs/reliability.md']) {
      assert.ok(pages.includes(needed), `${needed} is missing`);
    }
  });

  for (const page of pages) {
    test(`${page}: every relative link resolves to a file or folder of the repository, and its anchor to a heading`, () => {
      const text = prose(fs.readFileSync(path.join(repoRoot, page), 'utf8'));
      const broken: string[] = [];
      for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [filePart, anchor] = target.split('#');
        const resolved = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(page), filePart)) : page;
        if (resolved.startsWith('..') || !exists(resolved)) {
          broken.push(`${target} (no ${resolved})`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
      assert.deepEqual(broken, []);
    });

    test(`${page}: every repository path in inline code exists`, () => {
      const text = prose(fs.readFileSync(path.join(repoRoot, page), 'utf8'));
      const missing: string[] = [];
      for (const match of text.matchAll(/`([^`\s]+)`/g)) {
        const candidate = match[1];
        // Only paths from the repository root (the docs' convention); globs and placeholders are not paths.
        if (!/^(server|client|test|docs|scripts|bench|examples|grammars|schemas|bin|\.ci)\/[\w./-]*$/.test(candidate)) continue;
        if (/<|\*|\{/.test(candidate)) continue;
        if (!exists(candidate)) missing.push(candidate);
      }
      assert.deepEqual(missing, []);
    });
  }

  test('the checks catch a broken link and a missing path', () => {
    assert.equal(exists('docs/no-such-page.md'), false);
    assert.equal(exists('docs/rules/'), true);
    assert.equal(anchorsOf('docs/reliability.md').has('parser-and-budgets'), true);
    assert.equal(slug('Quick fixes: before and after'), 'quick-fixes-before-and-after');
  });
});

describe('project links', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

  test('package.json names the repository of the one constant, with its home page and issues', () => {
    assert.equal(manifest.repository.url, REPOSITORY_URL);
    assert.equal(manifest.homepage, `${REPOSITORY_URL}#readme`);
    assert.equal(manifest.bugs.url, `${REPOSITORY_URL}/issues`);
  });

  test('every documentation URL the tools give points at a page of this repository', () => {
    const prefix = repositoryFileUrl('');
    for (const code of [...RULES.map((r) => r.code), NOT_ANALYSED] as FindingCode[]) {
      const url = ruleDocsUrl(code);
      assert.ok(url.startsWith(prefix), url);
      const [file, anchor] = url.slice(prefix.length).split('#');
      assert.ok(files.has(file), `${url}: ${file} is not in the repository`);
      if (anchor) assert.ok(anchorsOf(file).has(anchor), `${url}: no heading #${anchor}`);
    }
  });

  test('every web link to the project, in docs, sources and manifests, names the same repository', () => {
    const [owner, name] = new URL(REPOSITORY_URL).pathname.slice(1).split('/');
    const sources = [...files].filter((f) => /\.(md|ts|mjs|json|ya?ml)$/.test(f) && !f.startsWith('test/fixtures/') && f !== 'package-lock.json');
    const others: string[] = [];
    for (const file of sources) {
      const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
      for (const match of text.matchAll(/github\.com\/([\w.-]+)\/([\w.-]+)|uses:\s*([\w.-]+)\/([\w.-]+)@/g)) {
        const [linkOwner, linkName] = match[1] ? [match[1], match[2]] : [match[3], match[4]];
        if (!/fork-guard/i.test(`${linkOwner}/${linkName}`)) continue;
        if (linkOwner !== owner || linkName.replace(/\.git$/, '') !== name) others.push(`${file}: ${match[0]}`);
      }
    }
    assert.deepEqual(others, []);
  });
});

describe('the README first commands', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = firstBlock.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean);

  test('the first code block sets up and runs the main job, then the tests', () => {
    assert.deepEqual(commands, ['npm ci && npm run demo', 'npm test']);
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.match(manifest.scripts.demo, /^npm run build && node dist\/cli\.js check examples\b/);
  });

  test('CI installs with npm ci and runs the README test command', () => {
    const ci = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8').split('\n').map((line) => line.trim());
    assert.ok(ci.some((line) => line.startsWith('npm ci')));
    assert.ok(ci.includes(commands[1]), `.ci/run does not run "${commands[1]}"`);
  });
});
