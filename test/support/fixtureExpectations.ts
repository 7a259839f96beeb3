// The inline expectation format of test/fixtures (see test/fixtures/README.md):
// `# expect: GF101, GF102` on the line where a finding starts; `# fixture: key=value ...` in the
// first lines for configuration.
import type { ConfigLayer } from '../../server/src/engine/config';
import { parsePythonVersion } from '../../server/src/engine/config';

export interface Expectation {
  line: number;
  code: string;
}

export function expectedFindings(text: string): Expectation[] {
  const found: Expectation[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, index) => {
    const match = /#\s*expect:\s*([A-Z0-9,\s]+)/.exec(line);
    if (!match) return;
    for (const code of match[1].split(',').map((c) => c.trim()).filter(Boolean)) found.push({ line: index, code });
  });
  return found;
}

export function fixtureConfig(text: string): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const line of text.split(/\r?\n/).slice(0, 5)) {
    const match = /#\s*fixture:\s*(.*)$/.exec(line);
    if (!match) continue;
    for (const pair of match[1].trim().split(/\s+/)) {
      const [key, value] = pair.split('=');
      if (key === 'target-python') layer.targetPython = parsePythonVersion(value);
      else if (key === 'target-platform') layer.targetPlatform = value as ConfigLayer['targetPlatform'];
      else if (key === 'assume-fork-support') layer.assumeForkSupport = value === 'true';
      else if (key === 'channel-factories') layer.channelFactories = value.split(',');
      else throw new Error(`unknown fixture key "${key}"`);
    }
  }
  return layer;
}
