// Lists the packages of package-lock.json whose `engines.node` refuses a Node version (the ones
// `npm ci` warns about with EBADENGINE on that version); exit 1 when any does.
// Usage: node scripts/checkEngines.mjs [VERSION] [--lock=FILE]
//   VERSION: default, the lowest version package.json's own `engines.node` allows.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const semver = createRequire(path.join(root, 'package.json'))('semver');
const args = process.argv.slice(2);
const lockPath = args.find((a) => a.startsWith('--lock='))?.slice('--lock='.length) ?? path.join(root, 'package-lock.json');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const nodeVersion = args.find((a) => !a.startsWith('--')) ?? semver.minVersion(manifest.engines.node).version;

let refusing = 0;
for (const [where, info] of Object.entries(lock.packages ?? {})) {
  const range = info.engines && !Array.isArray(info.engines) ? info.engines.node : undefined;
  if (where === '' || typeof range !== 'string') continue;
  if (semver.satisfies(nodeVersion, range, { includePrerelease: true })) continue;
  refusing++;
  console.log(`${where.replace(/^.*node_modules\//, '')}@${info.version} needs node ${range} (${where})`);
}
console.log(refusing ? `${refusing} package(s) refuse Node ${nodeVersion}` : `every package accepts Node ${nodeVersion}`);
process.exit(refusing ? 1 : 0);
