// The settings table rendered two ways: a JSON Schema (draft-07) for the [tool.grpc-fork-guard]
// table of pyproject.toml, and package.json's contributes.configuration for VS Code.
import { RULE_CODES } from '../server/src/engine/findings';
import {
  PYTHON_VERSION_PATTERN, SEVERITY_SETTINGS, SettingDefinition, SettingValue,
  editorSettings, pyprojectSettings, ruleSelectors,
} from '../server/src/engine/settingsTable';

type Json = Record<string, unknown>;

export const SCHEMA_FILE = 'schemas/grpc-fork-guard.schema.json';
export const EDITOR_SECTION_TITLE = 'gRPC Fork Guard';

/** The JSON Schema of a value of this shape, without description or default. */
export function valueSchema(shape: SettingValue): Json {
  switch (shape.kind) {
    case 'boolean':
      return { type: 'boolean' };
    case 'ruleCodes':
      return { type: 'array', items: { type: 'string', enum: ruleSelectors() } };
    case 'severities':
      return {
        type: 'object',
        properties: Object.fromEntries(RULE_CODES.map((code) => [code, { type: 'string', enum: [...SEVERITY_SETTINGS] }])),
        additionalProperties: false,
      };
    case 'strings':
      return { type: 'array', items: { type: 'string' } };
    case 'pythonVersion':
      return { type: 'string', pattern: PYTHON_VERSION_PATTERN };
    case 'choice':
      return { type: 'string', enum: [...shape.values] };
    case 'number': {
      const bounds: Json = {};
      if (shape.minimum !== undefined) bounds.minimum = shape.minimum;
      if (shape.exclusiveMinimum !== undefined) bounds.exclusiveMinimum = shape.exclusiveMinimum;
      return { type: 'number', ...bounds };
    }
  }
}

export function pyprojectSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'gRPC Fork Guard',
    description: 'Configuration of gRPC Fork Guard, the [tool.grpc-fork-guard] table of pyproject.toml. ' +
      'Generated from server/src/engine/settingsTable.ts by "npm run schema".',
    type: 'object',
    properties: Object.fromEntries(pyprojectSettings().map((setting) => [setting.pyproject!, {
      description: setting.description,
      ...valueSchema(setting.value),
      default: setting.default,
    }])),
    additionalProperties: false,
  };
}

export function editorConfiguration(): Json {
  return {
    title: EDITOR_SECTION_TITLE,
    properties: Object.fromEntries(editorSettings().map((setting) => [`grpcForkGuard.${setting.editor!.name}`, editorProperty(setting)])),
  };
}

function editorProperty(setting: SettingDefinition): Json {
  const editor = setting.editor!;
  const schema = valueSchema(setting.value);
  const overrides = setting.pyproject ? ` Overrides \`${setting.pyproject}\` in [tool.grpc-fork-guard] of pyproject.toml.` : '';
  if (editor.unsetByDefault) {
    // Null (unset) lets pyproject.toml and then the default apply.
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
  }
  return {
    ...schema,
    default: editor.unsetByDefault ? null : setting.default,
    scope: editor.scope,
    description: setting.description + overrides,
  };
}
