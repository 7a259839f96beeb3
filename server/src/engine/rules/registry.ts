// Every rule the engine runs, in code order. A new rule is a new module and one line here.
import { FindingCode, NOT_ANALYSED } from '../findings';
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
import type { Rule } from './rule';

export const RULES: Rule[] = [
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
];

export function ruleByCode(code: FindingCode): Rule | undefined {
  return RULES.find((rule) => rule.code === code);
}

export const DOCS_BASE_URL = repositoryFileUrl('docs/rules/');

/** Where the notice that a file was not analysed is explained. */
export const NOT_ANALYSED_DOCS_URL = repositoryFileUrl('docs/reliability.md#parser-and-budgets');

export function ruleDocsUrl(code: FindingCode): string {
  if (code === NOT_ANALYSED) return NOT_ANALYSED_DOCS_URL;
  return `${DOCS_BASE_URL}${code}.md`;
}
