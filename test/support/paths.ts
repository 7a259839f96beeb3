// Locations the tests use, from the repository root (tests run from bundles under out/test/).
import * as path from 'path';

export const repoRoot = process.env.GF_REPO_ROOT ?? path.resolve(__dirname, '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const grammarDir = path.join(repoRoot, 'grammars');
export const serverJs = path.join(repoRoot, 'dist', 'server.js');
export const cliJs = path.join(repoRoot, 'dist', 'cli.js');
export const examplesDir = path.join(repoRoot, 'examples');
