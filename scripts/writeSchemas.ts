// Writes the settings table out (npm run schema): the JSON Schema for [tool.grpc-fork-guard] and
// the VS Code settings in package.json's contributes.configuration.
import * as fs from 'fs';
import * as path from 'path';
import { SCHEMA_FILE, editorConfiguration, pyprojectSchema } from './settingsSchema';

const root = process.argv[2] ?? process.cwd();
const schemaPath = path.join(root, SCHEMA_FILE);
fs.mkdirSync(path.dirname(schemaPath), { recursive: true });
fs.writeFileSync(schemaPath, `${JSON.stringify(pyprojectSchema(), null, 2)}\n`);

const manifestPath = path.join(root, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.contributes.configuration = editorConfiguration();
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${path.relative(root, schemaPath)} and the settings of package.json`);
