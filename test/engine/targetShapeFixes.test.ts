// The "create the channel in the child" fixes for closures, arguments (partial, initargs, a Process
// subclass's constructor) and default arguments: what each edit makes of a program, and the shapes
// where the edit would break the program, so no such fix is offered.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/findings';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string): Finding[] => analyzer.analyze('/project/job.py', text, defaultConfig()).findings;
const titles = (text: string, code: string) => analyse(text).filter((f) => f.code === code).flatMap((f) => f.fixes.filter((x) => !x.isSuppression).map((x) => x.title));
const first = (text: string, code: string) => analyse(text).find((f) => f.code === code)?.fixes.find((x) => !x.isSuppression);

const PARTIAL = `import functools
from multiprocessing import Process

import grpc

import upload_pb2_grpc


def upload(stub, path):
    stub.Upload(path)


def main(paths):
    stub = upload_pb2_grpc.UploadStub(grpc.insecure_channel("upload:50051"))
    procs = [Process(target=functools.partial(upload, stub, p)) for p in paths]
    for proc in procs:
        proc.start()
`;

const SUBCLASS = `import multiprocessing

import grpc

import jobs_pb2_grpc


class Poller(multiprocessing.Process):
    def __init__(self, stub, name):
        super().__init__()
        self.stub = stub
        self.name_ = name

    def run(self):
        self.stub.Next(self.name_)


if __name__ == "__main__":
    channel = grpc.insecure_channel("jobs:50051")
    stub = jobs_pb2_grpc.JobsStub(channel)
    poller = Poller(stub, "high")
    poller.start()
`;

const LAMBDA_DEFAULT = `import multiprocessing

import grpc

if __name__ == "__main__":
    proc = multiprocessing.Process(target=lambda ch=grpc.insecure_channel("kv:50051"): ch.unary_unary("/kv.KV/Get")(b"k"))
    proc.start()
`;

describe('a channel handed to the child as an argument', () => {
  test('functools.partial: the function gets the address and makes the stub; the parent\'s binding goes', () => {
    const fix = first(PARTIAL, 'GF101');
    assert.equal(fix?.title, 'Create the channel in the child (inside `upload`, which gets the address instead)');
    const fixed = applyEdits(PARTIAL, fix!.edits);
    assert.match(fixed, /def upload\(address, path\):\n {4}stub = upload_pb2_grpc\.UploadStub\(grpc\.insecure_channel\(address\)\)\n/);
    assert.match(fixed, /functools\.partial\(upload, "upload:50051", p\)/);
    assert.doesNotMatch(fixed, /def main\(paths\):\n {4}stub =/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });

  test('no address fix when the function is also called elsewhere (its signature would break that call)', () => {
    const text = `${PARTIAL}\n\ndef again(stub):\n    upload(stub, "x")\n`;
    assert.ok(!titles(text, 'GF101').some((t) => t.includes('gets the address')));
  });

  test('no address fix when the address is a keyword argument', () => {
    const text = PARTIAL.replace('grpc.insecure_channel("upload:50051")', 'grpc.insecure_channel(target="upload:50051")');
    assert.ok(!titles(text, 'GF101').some((t) => t.includes('gets the address')));
  });
});

describe('a Process subclass that stores the parent\'s stub', () => {
  test('the constructor keeps the address, run() makes the channel and the stub', () => {
    const fix = first(SUBCLASS, 'GF102');
    assert.equal(fix?.title, 'Create the channel in the child (in `Poller.run()`; the constructor gets the address instead)');
    const fixed = applyEdits(SUBCLASS, fix!.edits);
    assert.match(fixed, /def __init__\(self, address, name\):\n {8}super\(\)\.__init__\(\)\n {8}self\.stub_address = address\n/);
    assert.match(fixed, /def run\(self\):\n {8}channel = grpc\.insecure_channel\(self\.stub_address\)\n {8}self\.stub = jobs_pb2_grpc\.JobsStub\(channel\)\n/);
    assert.match(fixed, /poller = Poller\("jobs:50051", "high"\)/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });

  test('no fix when another method reads the stored stub (it may run in the parent)', () => {
    const text = SUBCLASS.replace('    def run(self):', '    def ping(self):\n        return self.stub.Ping(b"")\n\n    def run(self):');
    assert.ok(!titles(text, 'GF102').some((t) => t.includes('Poller.run()')));
  });
});

describe('a channel made as a default argument', () => {
  test('a lambda target: the expression replaces the parameter\'s one use', () => {
    const fix = first(LAMBDA_DEFAULT, 'GF101');
    assert.equal(fix?.title, 'Create the channel in the child (inside the lambda, not as a default argument)');
    const fixed = applyEdits(LAMBDA_DEFAULT, fix!.edits);
    assert.match(fixed, /target=lambda: grpc\.insecure_channel\("kv:50051"\)\.unary_unary\("\/kv\.KV\/Get"\)\(b"k"\)\)/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });

  test('no lambda fix when the lambda is given arguments (the parameter is not always its default)', () => {
    const text = LAMBDA_DEFAULT.replace('(b"k"))', '(b"k"), args=(None,))');
    assert.ok(!titles(text, 'GF101').some((t) => t.includes('inside the lambda')));
  });
});

describe('a closure', () => {
  const CLOSURE = `import multiprocessing

import grpc


def main():
    channel = grpc.insecure_channel("metrics:50051")  # the metrics service

    def child():
        channel.unary_unary("/m.M/Push")(b"")

    multiprocessing.Process(target=child).start()
`;

  test('a channel only the nested target uses moves into it, with its comment', () => {
    const fix = first(CLOSURE, 'GF101');
    assert.equal(fix?.title, 'Create the channel in the child (move it into `child`)');
    const fixed = applyEdits(CLOSURE, fix!.edits);
    assert.match(fixed, /def main\(\):\n\n {4}def child\(\):\n {8}channel = grpc\.insecure_channel\("metrics:50051"\) {2}# the metrics service\n/);
    assert.deepEqual(analyse(fixed).map((f) => f.code), []);
  });

  test('no fix when the nested target rebinds the name with nonlocal', () => {
    const text = CLOSURE.replace('    def child():\n', '    def child():\n        nonlocal channel\n');
    assert.ok(!titles(text, 'GF101').some((t) => t.includes('child')));
  });
});
