// The settings table is the one definition of every setting: the checked-in JSON Schema and
// package.json's VS Code settings must be what it renders, and both readers (pyproject.toml and
// the editor's settings) must accept exactly what the schema accepts and default to its defaults.
import Ajv from 'ajv';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'smol-toml';
import {
  PYPROJECT_SCHEMA_FILE, SCHEMASTORE_PYPROJECT, SCHEMA_FILE, editorConfiguration, pyprojectSchema, valueSchema, wholePyprojectSchema, withSettingsReference,
} from '../../scripts/settingsSchema';
import { DEFAULT_BUDGET } from '../../server/src/engine/budgets';
import { defaultConfig } from '../../server/src/engine/config';
import { parsePyproject } from '../../server/src/engine/configFile';
import { RULE_CODES } from '../../server/src/engine/rules/registry';
import { SETTINGS, SettingDefinition, SettingValue, editorSettings, pyprojectSettings } from '../../server/src/engine/settingsTable';
import { DEFAULT_DEBOUNCE_MS, readClientSettings } from '../../server/src/lsp/settings';
import { repoRoot } from '../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, SCHEMA_FILE), 'utf8'));
const ajv = new Ajv({ strict: false });
const validate = ajv.compile(schema);

/** Values the schema should accept, other than the default. */
function validSamples(setting: SettingDefinition): unknown[] {
  const shape = setting.value;
  switch (shape.kind) {
    case 'boolean': return [!setting.default];
    case 'ruleCodes': return [['GF1', 'GF302'], ['GF'], []];
    case 'severities': return [{ GF101: 'error', GF302: 'off' }];
    case 'strings': return [['build', 'third_party/**']];
    case 'pythonVersion': return ['3.12', '3.8', '3.14'];
    case 'choice': return [...shape.values];
    case 'number': return [(setting.default as number) + 1];
  }
}

/** Values the schema should refuse. */
function invalidSamples(shape: SettingValue): unknown[] {
  switch (shape.kind) {
    case 'boolean': return ['yes', 1];
    case 'ruleCodes': return [['GF999'], 'GF101', ['X1']];
    case 'severities': return [{ GF101: 'fatal' }, { GF999: 'error' }, ['GF101']];
    case 'strings': return ['build', [1, 'build']];
    case 'pythonVersion': return ['2.7', '3.12.1', 'three', 3.12];
    case 'choice': return ['plan9', 1];
    case 'number': return [-1, 'fast'];
  }
}

function readPyprojectValue(key: string, value: unknown) {
  return parsePyproject(stringify({ tool: { 'grpc-fork-guard': { [key]: value } } }), 'pyproject.toml');
}

describe('generated files', () => {
  test(`${SCHEMA_FILE} is what the settings table renders (run "npm run schema" after editing it)`, () => {
    assert.deepEqual(schema, pyprojectSchema());
  });

  test(`${PYPROJECT_SCHEMA_FILE} holds the same table inside pyproject.toml (run "npm run schema")`, () => {
    const whole = JSON.parse(fs.readFileSync(path.join(repoRoot, PYPROJECT_SCHEMA_FILE), 'utf8'));
    assert.deepEqual(whole, wholePyprojectSchema());
    // SchemaStore's schema is fetched by the editor; here a stand-in that accepts anything.
    const offline = new Ajv({ strict: false });
    offline.addSchema({ $id: SCHEMASTORE_PYPROJECT }, SCHEMASTORE_PYPROJECT);
    const check = offline.compile(whole);
    assert.equal(check({ project: { name: 'x' }, tool: { ruff: { 'line-length': 100 }, 'grpc-fork-guard': { select: ['GF1'] } } }), true, JSON.stringify(check.errors));
    assert.equal(check({ tool: { 'grpc-fork-guard': { 'target-platform': 'plan9' } } }), false);
    assert.equal(check({ tool: { 'grpc-fork-guard': { colour: 'blue' } } }), false);
  });

  test('package.json contributes.configuration is what the settings table renders (run "npm run schema")', () => {
    assert.deepEqual(manifest.contributes.configuration, editorConfiguration());
  });

  test('the settings table of docs/configuration.md is current (run "npm run schema")', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    assert.equal(page, withSettingsReference(page));
    for (const setting of SETTINGS) assert.ok(page.includes(setting.description.replace(/\|/g, '\\|')), setting.description);
  });

  test('the settings show under "gRPC Fork Guard" in the VS Code settings UI', () => {
    assert.equal(manifest.contributes.configuration.title, 'gRPC Fork Guard');
    assert.equal(manifest.displayName, 'gRPC Fork Guard');
    // The settings editor drops a key's prefix when it equals a part of the extension id
    // (publisher.name) with its hyphens removed: "grpcForkGuard.enable" shows as "Enable" under
    // the title, not as "Grpc Fork Guard: Enable".
    const idParts = [manifest.publisher, manifest.name].map((part: string) => part.replace(/-/g, '').toLowerCase());
    for (const key of Object.keys(manifest.contributes.configuration.properties)) {
      assert.ok(idParts.includes(key.split('.')[0].toLowerCase()), `${key}: its prefix is not the extension's id`);
    }
  });

  test('every setting is in the schema or among the VS Code settings, and names are unique', () => {
    const names = SETTINGS.map((s) => s.editor?.name ?? `pyproject:${s.pyproject}`);
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(Object.keys(schema.properties).sort(), pyprojectSettings().map((s) => s.pyproject).sort());
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), editorSettings().map((s) => `grpcForkGuard.${s.editor!.name}`).sort());
  });

  test('the schema is valid draft-07 and refuses unknown keys, as the reader does', () => {
    assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
    assert.equal(validate({ colour: 'blue' }), false);
    const read = parsePyproject('[tool.grpc-fork-guard]\ntarget-pyhton = "3.12"\n', 'pyproject.toml');
    assert.deepEqual(read.problems, [{ file: 'pyproject.toml', key: 'tool.grpc-fork-guard.target-pyhton', message: 'unknown key; did you mean `target-python`?' }]);
  });

  test('the example configuration of docs/configuration.md is valid for the schema and the reader', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    const example = /```toml\n(\[tool\.grpc-fork-guard\][\s\S]*?)```/.exec(page);
    assert.ok(example, 'docs/configuration.md shows a [tool.grpc-fork-guard] example');
    const read = parsePyproject(example[1], 'pyproject.toml');
    assert.deepEqual(read.problems, []);
    const table = (parse(example[1]) as any).tool['grpc-fork-guard'];
    assert.equal(validate(table), true, JSON.stringify(validate.errors));
    assert.ok(Object.keys(table).length >= pyprojectSettings().length - 1, 'the example shows (nearly) every key');
  });
});

describe('pyproject.toml reader agrees with the schema', () => {
  for (const setting of pyprojectSettings()) {
    const key = setting.pyproject!;
    test(`${key}: the default is what the engine uses when nothing is set`, () => {
      assert.equal(validate({ [key]: setting.default }), true, JSON.stringify(validate.errors));
      const read = readPyprojectValue(key, setting.default);
      assert.deepEqual(read.problems, []);
      // `select` defaults to 'all' in the engine, which is every registered code.
      const engineDefault = defaultConfig()[setting.config!];
      assert.deepEqual(read.layer[setting.config!], engineDefault === 'all' ? [...RULE_CODES] : engineDefault);
    });

    test(`${key}: what the schema accepts is read without a problem, and applied`, () => {
      for (const value of validSamples(setting)) {
        assert.equal(validate({ [key]: value }), true, `schema refuses ${JSON.stringify(value)}`);
        const read = readPyprojectValue(key, value);
        assert.deepEqual(read.problems, [], `reader refuses ${JSON.stringify(value)}`);
        assert.notEqual(read.layer[setting.config!], undefined);
      }
    });

    test(`${key}: what the schema refuses is reported with its key`, () => {
      for (const value of invalidSamples(setting.value)) {
        assert.equal(validate({ [key]: value }), false, `schema accepts ${JSON.stringify(value)}`);
        const read = readPyprojectValue(key, value);
        assert.ok(read.problems.length > 0, `reader accepts ${JSON.stringify(value)}`);
        assert.ok(read.problems.every((p) => p.key?.startsWith(`tool.grpc-fork-guard.${key}`)), JSON.stringify(read.problems));
      }
    });
  }

  test('a prefix selects its group and the target version becomes a pair', () => {
    const read = parsePyproject('[tool.grpc-fork-guard]\nselect = ["GF1"]\ntarget-python = "3.12"\n', 'pyproject.toml');
    assert.deepEqual(read.layer.select, ['GF101', 'GF102', 'GF103', 'GF104']);
    assert.deepEqual(read.layer.targetPython, [3, 12]);
  });

  test('a TOML error names its line and column', () => {
    const read = parsePyproject('[tool.grpc-fork-guard]\nselect = [\n', 'pyproject.toml');
    assert.match(read.problems[0].message, /^invalid TOML: .*\(line \d+, column \d+\)$/);
  });
});

describe('VS Code settings reader agrees with the schema', () => {
  for (const setting of editorSettings()) {
    const name = setting.editor!.name;
    const property = manifest.contributes.configuration.properties[`grpcForkGuard.${name}`];

    test(`grpcForkGuard.${name}: its VS Code default leaves the setting to the next layer or equals the table's`, () => {
      if (setting.editor!.unsetByDefault) {
        assert.equal(property.default, null);
        const read = readClientSettings({ [name]: null });
        assert.deepEqual(read.problems, []);
        assert.equal(read.layer[setting.config!], undefined, 'unset leaves pyproject.toml in force');
      } else {
        assert.deepEqual(property.default, setting.default);
      }
    });

    if (!setting.config) continue;
    test(`grpcForkGuard.${name}: accepted and refused values match the schema`, () => {
      const ownSchema = new Ajv({ strict: false }).compile(valueSchema(setting.value));
      for (const value of validSamples(setting)) {
        assert.equal(ownSchema(value), true);
        const read = readClientSettings({ [name]: value });
        assert.deepEqual(read.problems, [], `refuses ${JSON.stringify(value)}`);
        assert.notEqual(read.layer[setting.config!], undefined);
      }
      for (const value of invalidSamples(setting.value)) {
        assert.equal(ownSchema(value), false);
        const read = readClientSettings({ [name]: value });
        assert.ok(read.problems.some((p) => p.startsWith(`grpcForkGuard.${name}`)), `accepts ${JSON.stringify(value)} silently`);
      }
    });
  }

  test('the editor-only settings default to what the server uses when they are unset', () => {
    const unset = readClientSettings(undefined);
    const byName = (name: string) => SETTINGS.find((s) => s.editor?.name === name)!.default;
    assert.equal(byName('enable'), unset.enable);
    assert.equal(byName('scanOnStartup'), unset.scanOnStartup);
    assert.equal(byName('debounceMs'), DEFAULT_DEBOUNCE_MS);
    assert.equal((byName('maxFileSize') as number) * 1024 * 1024, DEFAULT_BUDGET.maxFileBytes);
  });
});
