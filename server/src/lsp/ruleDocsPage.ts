// Where "Show documentation for GFxxx" opens. The extension and the npm package ship
// docs/rules/*.md beside dist/: that page describes the installed version and opens without a
// network, so it is the one opened (VS Code shows it as a Markdown preview); the web page, one
// click away from every diagnostic's code and from the hover, is opened only when no page is
// shipped (a bundle copied without docs/).
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { FindingCode, NOT_ANALYSED } from '../engine/findings';
import { ruleDocsUrl } from '../engine/rules/registry';

/** docs/rules/ of the package this bundle (dist/server.js) belongs to. */
export const SHIPPED_RULES_DIR = path.join(__dirname, '..', 'docs', 'rules');

/** The shipped page of a rule, if the package holds it. */
export function shippedRulePage(code: FindingCode, dir = SHIPPED_RULES_DIR): string | undefined {
  if (code === NOT_ANALYSED) return undefined;
  const page = path.join(dir, `${code}.md`);
  return fs.existsSync(page) ? page : undefined;
}

export function ruleDocsTarget(code: FindingCode, dir = SHIPPED_RULES_DIR): { uri: string; external: boolean } {
  const page = shippedRulePage(code, dir);
  return page ? { uri: URI.file(page).toString(), external: false } : { uri: ruleDocsUrl(code), external: true };
}
