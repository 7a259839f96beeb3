// Project and package roots come from the file's path (SPEC §2), and the runner search's listing
// stops at its bound instead of walking a whole disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { foldersUpTo, importBases, packageRootOf, projectRootOf } from '../../server/src/workspace/projectRoots';
import { listPythonFilesWithin } from '../../server/src/workspace/pythonFiles';

const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gf-project-roots-')));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function write(relative: string, content = ''): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('project roots', () => {
  test('the nearest folder with a project marker, whichever marker it is', () => {
    for (const marker of ['pyproject.toml', 'setup.cfg', 'setup.py', '.git']) {
      const file = write(`marked-${marker}/app/deep/job.py`);
      write(`marked-${marker}/${marker}`);
      assert.equal(projectRootOf(file), path.join(scratch, `marked-${marker}`), marker);
    }
  });

  test('with no marker, the folder the package is imported from, else the file\'s own folder', () => {
    const inPackage = write('plain/src/pkg/sub/mod.py');
    write('plain/src/pkg/__init__.py');
    write('plain/src/pkg/sub/__init__.py');
    assert.equal(projectRootOf(inPackage), path.join(scratch, 'plain', 'src'));
    const loose = write('plain/x/y/job.py');
    assert.equal(projectRootOf(loose), path.join(scratch, 'plain', 'x', 'y'));
  });

  test('a boundary (a workspace folder) is the project when no marker lies between it and the file', () => {
    const file = write('bounded/ws/back/app.py');
    assert.equal(projectRootOf(file, path.join(scratch, 'bounded', 'ws')), path.join(scratch, 'bounded', 'ws'));
    const marked = write('bounded/ws2/back/app.py');
    write('bounded/ws2/back/setup.cfg');
    assert.equal(projectRootOf(marked, path.join(scratch, 'bounded', 'ws2')), path.join(scratch, 'bounded', 'ws2', 'back'));
  });

  test('absolute imports look in the file\'s folder, its package root, the project root and its src/', () => {
    const dir = path.join(scratch, 'imports', 'pkgdir', 'pkg');
    write('imports/pkgdir/pkg/__init__.py');
    assert.equal(packageRootOf(dir), path.join(scratch, 'imports', 'pkgdir'));
    assert.deepEqual(importBases(dir, path.join(scratch, 'imports')), [
      dir, path.join(scratch, 'imports', 'pkgdir'), path.join(scratch, 'imports'), path.join(scratch, 'imports', 'src'),
    ]);
  });

  test('runner configuration folders run from the file\'s folder up to the project root, never above it', () => {
    const root = path.join(scratch, 'r');
    assert.deepEqual(foldersUpTo(path.join(root, 'a', 'b'), root), [path.join(root, 'a', 'b'), path.join(root, 'a'), root]);
    assert.deepEqual(foldersUpTo(path.join(scratch, 'elsewhere'), root), [root]);
  });
});

describe('bounded listing', () => {
  test('stops at the file bound and says it did not finish', () => {
    for (let i = 0; i < 10; i++) write(`many/m${i}.py`);
    const bounded = listPythonFilesWithin(path.join(scratch, 'many'), [], { maxFiles: 3, maxMs: 60_000 });
    assert.equal(bounded.files.length, 3);
    assert.equal(bounded.complete, false);
    const whole = listPythonFilesWithin(path.join(scratch, 'many'), [], { maxFiles: 100, maxMs: 60_000 });
    assert.equal(whole.files.length, 10);
    assert.equal(whole.complete, true);
  });

  test('stops at the time bound', () => {
    write('timed/a.py');
    const bounded = listPythonFilesWithin(path.join(scratch, 'timed'), [], { maxFiles: 100, maxMs: -1 });
    assert.equal(bounded.complete, false);
    assert.deepEqual(bounded.files, []);
  });
});
