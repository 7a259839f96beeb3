// The fixture corpus as the CLI and protocol tiers walk it: single files (with their `# fixture:`
// configuration) and workspaces, each with its expected (line, code) pairs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfigLayer } from '../../server/src/engine/config';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { expectedFindings, fixtureConfig } from './fixtureExpectations';
import { fixturesDir } from './paths';

export interface FixtureFile {
  path: string;
  /** Root to analyse it under: its own folder, or its workspace. */
  root: string;
  config: ConfigLayer;
  /** `line:code` keys, 1-based lines, for codes the engine implements. */
  expected: string[];
}

export function fixtureCorpus(implemented: Set<string>): FixtureFile[] {
  if (!fs.existsSync(fixturesDir)) return [];
  const workspacesDir = path.join(fixturesDir, 'workspaces');
  // The real-world suite is judged by its precision and recall (test/engine/realworld.test.ts), not file by file.
  const realworld = path.join(fixturesDir, 'realworld') + path.sep;
  return listPythonFiles(fixturesDir, []).filter((file) => !file.startsWith(realworld)).map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const relative = path.relative(workspacesDir, file);
    const root = relative.startsWith('..') ? path.dirname(file) : path.join(workspacesDir, relative.split(path.sep)[0]);
    return {
      path: file,
      root,
      config: fixtureConfig(text),
      expected: expectedFindings(text).filter((e) => implemented.has(e.code)).map((e) => `${e.line + 1}:${e.code}`).sort(),
    };
  });
}

/** The `[tool.grpc-fork-guard]` table that gives the CLI a fixture's configuration. */
export function pyprojectFor(config: ConfigLayer): string {
  const lines = ['[tool.grpc-fork-guard]'];
  if (config.targetPython) lines.push(`target-python = "${config.targetPython.join('.')}"`);
  if (config.targetPlatform) lines.push(`target-platform = "${config.targetPlatform}"`);
  if (config.assumeForkSupport !== undefined) lines.push(`assume-fork-support = ${config.assumeForkSupport}`);
  if (config.channelFactories) lines.push(`channel-factories = ${JSON.stringify(config.channelFactories)}`);
  return `${lines.join('\n')}\n`;
}

/** The VS Code settings that give the language server a fixture's configuration. */
export function settingsFor(config: ConfigLayer): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (config.targetPython) settings.targetPython = config.targetPython.join('.');
  if (config.targetPlatform) settings.targetPlatform = config.targetPlatform;
  if (config.assumeForkSupport !== undefined) settings.assumeForkSupport = config.assumeForkSupport;
  if (config.channelFactories) settings.channelFactories = config.channelFactories;
  return settings;
}
