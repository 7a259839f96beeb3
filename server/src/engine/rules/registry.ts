// Every rule the engine runs, in code order. A new rule is a new module and one line here: the
// rule codes, their type and every list of them (settings, CLI, docs) come from this list.
import { FindingCode, NOT_ANALYSED, RuleCode } from '../findings';
import { repositoryFileUrl } from '../projectLinks';
import { channelBeforeFork } from './GF101_channelBeforeFork';
import { parentChannelUsedInChild } from './GF102_parentChannelUsedInChild';
import { aioChannelBeforeFork } from './GF103_aioChannelBeforeFork';
import { importTimeChannelInPreforkApp } from './GF104_importTimeChannelInPreforkApp';
import { serverBeforeFork } from './GF201_serverBeforeFork';
import { sharedPortWithoutReuseport } from './GF202_sharedPortWithoutReuseport';
import { serverOnProcessPool } from './GF204_serverOnProcessPool';
import { portOptionsMisplaced } from './GF203_portOptionsMisplaced';
import { forkSupportSetTooLate } from './GF301_forkSupportSetTooLate';
import { pollStrategyIncompatible } from './GF302_pollStrategyIncompatible';
import { pollStrategyInvalid } from './GF303_pollStrategyInvalid';

export const RULES = [
  channelBeforeFork,
  parentChannelUsedInChild,
  aioChannelBeforeFork,
  importTimeChannelInPreforkApp,
  serverBeforeFork,
  sharedPortWithoutReuseport,
  portOptionsMisplaced,
  serverOnProcessPool,
  forkSupportSetTooLate,
  pollStrategyIncompatible,
  pollStrategyInvalid,
] as const;

/** The codes of the rules, in code order: every list of codes (settings, CLI, docs) is this one. */
export const RULE_CODES: readonly RuleCode[] = RULES.map((rule) => rule.code);

export function isRuleCode(value: string): value is RuleCode {
  return (RULE_CODES as readonly string[]).includes(value);
}

export function ruleByCode(code: string): (typeof RULES)[number] | undefined {
  return RULES.find((rule) => rule.code === code);
}

export const DOCS_BASE_URL = repositoryFileUrl('docs/rules/');

/** Where the notice that a file was not analysed is explained. */
export const NOT_ANALYSED_DOCS_URL = repositoryFileUrl('docs/reliability.md#parser-and-budgets');

export function ruleDocsUrl(code: FindingCode): string {
  if (code === NOT_ANALYSED) return NOT_ANALYSED_DOCS_URL;
  return `${DOCS_BASE_URL}${code}.md`;
}
