// Writes the settings table out (npm run schema): the JSON Schema for [tool.grpc-fork-guard], the
// same inside a whole-pyproject.toml schema, the VS Code settings in package.json's
// contributes.configuration, and the settings table of docs/configuration.md.
import * as fs from 'fs';
import * as path from 'path';
import {
  PYPROJECT_SCHEMA_FILE, SCHEMA_FILE, editorConfiguration, pyprojectSchema, wholePyprojectSchema, withSettingsReference,
} from './settingsSchema';

const root = process.argv[2] ?? process.cwd();
const schemaPath = path.join(root, SCHEMA_FILE);
fs.mkdirSync(path.dirname(schemaPath), { recursive: true });
fs.writeFileSync(schemaPath, `${JSON.stringify(pyprojectSchema(), null, 2)}\n`);
fs.writeFileSync(path.join(root, PYPROJECT_SCHEMA_FILE), `${JSON.stringify(wholePyprojectSchema(), null, 2)}\n`);

const manifestPath = path.join(root, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.contributes.configuration = editorConfiguration();
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
const pagePath = path.join(root, 'docs', 'configuration.md');
fs.writeFileSync(pagePath, withSettingsReference(fs.readFileSync(pagePath, 'utf8')));
console.log(`wrote ${SCHEMA_FILE}, ${PYPROJECT_SCHEMA_FILE}, the settings of package.json and the table of docs/configuration.md`);
