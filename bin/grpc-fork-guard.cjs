#!/usr/bin/env node
// The installed command. The CLI itself is the bundle dist/cli.js, which a build makes; an
// install from a commit that has no build (pre-commit pinned to a branch rather than a release
// tag, for instance) gets this sentence instead of a missing command.
const fs = require('fs');
const path = require('path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (fs.existsSync(cli)) {
  require(cli);
} else {
  process.stderr.write(
    'grpc-fork-guard: error: this install has no built CLI (dist/cli.js is missing). ' +
      'Install a release (a tag, or the npm package), or run "npm ci && npm run build" in a checkout; see docs/releasing.md.\n',
  );
  process.exitCode = 2;
}
