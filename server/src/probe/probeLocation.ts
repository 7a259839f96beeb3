// Where the probe's folder (the one holding sitecustomize.py) is: beside dist/ in a checkout, the
// npm package and the VSIX; found by walking up from the running bundle (tests run from out/).
import * as fs from 'fs';
import * as path from 'path';

export const REPORT_VARIABLE = 'GRPC_FORK_GUARD_REPORT';

export function probeDirectory(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'probe');
    if (fs.existsSync(path.join(candidate, 'sitecustomize.py')) && fs.existsSync(path.join(candidate, 'grpc_fork_guard_probe'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The environment of a probed run: the probe first on PYTHONPATH and the report file named.
 * `underElectron`: this CLI runs in an Electron executable (the editor's "Run File with Fork
 * Check" starts it so, with ELECTRON_RUN_AS_NODE set); that variable is the editor's, not the
 * user's, and would turn any Electron app the program starts into plain Node: it is dropped.
 */
export function probedEnvironment(base: NodeJS.ProcessEnv, probeDir: string, reportFile: string, underElectron = Boolean(process.versions.electron)): NodeJS.ProcessEnv {
  const existing = base.PYTHONPATH;
  const env: NodeJS.ProcessEnv = { ...base, PYTHONPATH: existing ? `${probeDir}${path.delimiter}${existing}` : probeDir, [REPORT_VARIABLE]: reportFile };
  if (underElectron) delete env.ELECTRON_RUN_AS_NODE;
  return env;
}
