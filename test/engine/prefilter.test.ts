// The workspace scan's pre-filter: which words trigger a parse, and the import statements it reads
// without a parser (every form the engine follows must be found; extra names are harmless).
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogRoots } from '../../server/src/engine/relevance';
import { readImports } from '../../server/src/engine/importReader';
import { prefilter } from '../../server/src/workspace/prefilter';

const imports = (text: string) => readImports(Buffer.from(text)).sort();
const triggers = (text: string, factories: string[] = []) => prefilter(Buffer.from(text), catalogRoots(factories)).mayReport;

describe('pre-filter', () => {
  test('reads import statements in every form', () => {
    assert.deepEqual(imports('import a.b.c as d, e\n'), ['a', 'a.b', 'a.b.c', 'e']);
    assert.ok(imports('from . import (x,\n   y as z,  # c\n w)\n').includes('.y'));
    assert.ok(imports('from . import (x,\n   y as z,  # c\n w)\n').includes('.w'));
    assert.ok(imports('from ..pkg.mod import *\n').includes('..pkg.mod'));
    assert.deepEqual(imports('if True: import q\n'), ['q']);
    assert.ok(imports('try: from r import s\nexcept: pass\n').includes('r.s'));
    assert.deepEqual(imports('import os; import grpc\n'), ['grpc', 'os']);
    assert.ok(imports('from m \\\n  import n\n').includes('m.n'));
    assert.ok(imports('from \\\n m2 import n2\r\n').includes('m2.n2'));
    assert.deepEqual(imports('x = __import__("y"); importlib.import_module("z")\n'), []);
  });

  test('triggers on gRPC, its environment variables, port calls and catalog libraries only', () => {
    assert.ok(triggers('import grpc\n'));
    assert.ok(triggers('os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n'));
    assert.ok(triggers('server.add_insecure_port("[::]:1", options=[])\n'));
    assert.ok(triggers('from google import cloud\n'));
    assert.ok(triggers('import etcd3 as e\n'));
    assert.ok(triggers('from mycompany.rpc import make_client\n', ['mycompany.rpc.make_client']));
    assert.ok(!triggers('from mycompany.rpc import make_client\n'));
    assert.ok(!triggers('import os, multiprocessing\nos.fork()\n'));
    assert.ok(!triggers('url = "https://google.com"\n'));
  });
});
