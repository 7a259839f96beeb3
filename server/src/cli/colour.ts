// Colour for the text output: on when the stream is a terminal, unless the environment says
// otherwise. FORCE_COLOR (any value but "0" or "false") turns it on and wins over NO_COLOR, as in
// Node itself; NO_COLOR (any non-empty value, no-color.org) turns it off; TERM=dumb too.

export interface Palette {
  enabled: boolean;
  bold(text: string): string;
  code(text: string): string;
  path(text: string): string;
  punctuation(text: string): string;
  gutter(text: string): string;
  marker(text: string): string;
  warning(text: string): string;
}

export function colourWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY === true && env.TERM !== 'dumb';
}

const sgr = (open: string) => (text: string) => `\x1b[${open}m${text}\x1b[0m`;
const plain = (text: string) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) {
    return { enabled, bold: plain, code: plain, path: plain, punctuation: plain, gutter: plain, marker: plain, warning: plain };
  }
  return {
    enabled,
    bold: sgr('1'),
    code: sgr('1;31'),
    path: sgr('1'),
    punctuation: sgr('36'),
    gutter: sgr('1;34'),
    marker: sgr('1;31'),
    warning: sgr('1;33'),
  };
}
