// GF201 fixes that change what forks rather than where the server is made: an RPC handler's
// fork + exec + waitpid becomes subprocess.run; Keras' forking data loader becomes threads; a
// pool's server is started once per worker by a new initializer.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding, Fix } from '../../server/src/engine/findings';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string): Finding[] => analyzer.analyze('/project/service.py', text, defaultConfig()).findings;

function fixTitled(text: string, prefix: string): Fix | undefined {
  return analyse(text).find((f) => f.code === 'GF201')?.fixes.find((f) => f.title.startsWith(prefix));
}

const handler = (body: string[], imports = 'import os\n') => `${imports}from concurrent import futures

import grpc

import jobs_pb2_grpc


class Jobs(jobs_pb2_grpc.JobsServicer):
    def Run(self, request, context):
${body.map((line) => `        ${line}`).join('\n')}
        return request


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    jobs_pb2_grpc.add_JobsServicer_to_server(Jobs(), server)
    server.add_insecure_port("[::]:50051")
    server.start()
    server.wait_for_termination()
`;

const SUBPROCESS = 'Run the command with `subprocess.run`';

describe('GF201: fork + exec in an RPC handler becomes subprocess.run', () => {
  test('execl keeps argv and names the program when it differs from argv[0]; the unused `import os` becomes `import subprocess`', () => {
    const text = handler(['pid = os.fork()', 'if pid == 0:', '    os.execl("/bin/echo", "echo", request.name)', 'os.waitpid(pid, 0)']);
    const fix = fixTitled(text, SUBPROCESS);
    assert.ok(fix, 'no subprocess fix');
    assert.equal(fix.applicability, 'unsafe');
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /^import subprocess\nfrom concurrent import futures\n/);
    assert.match(fixed, /\n {8}subprocess\.run\(\["echo", request\.name\], executable="\/bin\/echo"\)\n {8}return request\n/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });

  test('the wait in an else branch, an environment, and `import os` kept while other code uses it', () => {
    const text = handler(['os.makedirs("/tmp/jobs", exist_ok=True)', 'pid = os.fork()', 'if not pid:', '    os.execvpe("tar", ["tar", "xf", request.path], {"LANG": "C"})', 'else:', '    os.waitpid(pid, 0)']);
    const fix = fixTitled(text, SUBPROCESS);
    assert.ok(fix, 'no subprocess fix');
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /^import os\nimport subprocess\n/);
    assert.match(fixed, /\n {8}subprocess\.run\(\["tar", "xf", request\.path\], env=\{"LANG": "C"\}\)\n {8}return request\n/);
  });

  test('not offered when the exit status or the pid serves anything else, or the child does more than exec', () => {
    const shapes = [
      ['pid = os.fork()', 'if pid == 0:', '    os.execvp("true", ["true"])', '_, status = os.waitpid(pid, 0)'],
      ['pid = os.fork()', 'if pid == 0:', '    os.execvp("true", ["true"])', 'os.waitpid(pid, 0)', 'print(pid)'],
      ['pid = os.fork()', 'if pid == 0:', '    os.chdir("/tmp")', '    os.execvp("true", ["true"])', 'os.waitpid(pid, 0)'],
      ['pid = os.fork()', 'if pid == 0:', '    os._exit(0)', 'os.waitpid(pid, 0)'],
    ];
    for (const body of shapes) assert.equal(fixTitled(handler(body), SUBPROCESS), undefined, body.join('; '));
  });
});

describe('GF201: Keras forking its data loader under a running server', () => {
  test('use_multiprocessing=True becomes False', () => {
    const text = handler(['self.model.fit(batches(), workers=4, use_multiprocessing=True)']).replace('import os\n', '');
    const fix = fixTitled(text, 'Feed the data from threads');
    assert.ok(fix, `no threads fix; offered: ${analyse(text).flatMap((f) => f.fixes.map((x) => x.title)).join(' | ')}`);
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /self\.model\.fit\(batches\(\), workers=4, use_multiprocessing=False\)/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });
});

describe('GF201: a server started before a Pool goes into a new initializer', () => {
  const POOL = `import multiprocessing
from concurrent import futures

import grpc


def work(n):
    return n


def main():
    pass


if __name__ == "__main__":
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_insecure_port("[::]:50070")
    server.start()
    with multiprocessing.Pool(2) as pool:
        pool.map(work, range(8))
`;

  test('one server per worker, kept referenced by a global; never inside the task function', () => {
    const fix = fixTitled(POOL, 'Start the server in each child');
    assert.ok(fix, 'no server-in-child fix');
    const fixed = applyEdits(POOL, fix.edits);
    assert.match(fixed, /\ndef _start_server_in_worker\(\):\n {4}"""[^\n]*"""\n {4}global server\n {4}server = grpc\.server\(/);
    assert.match(fixed, /multiprocessing\.Pool\(2, initializer=_start_server_in_worker\) as pool:/);
    assert.match(fixed, /\ndef work\(n\):\n {4}return n\n/);
    assert.deepEqual(analyse(fixed).filter((f) => f.code === 'GF201').map((f) => f.code), []);
  });

  test('not offered when the pool has an initializer already', () => {
    const taken = POOL.replace('multiprocessing.Pool(2)', 'multiprocessing.Pool(2, initializer=main)');
    assert.equal(fixTitled(taken, 'Start the server in each child'), undefined);
  });
});
