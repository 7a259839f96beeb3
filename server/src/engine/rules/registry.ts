// Every rule the engine runs, in code order. A new rule is a new module and one line here.
import type { RuleCode } from '../findings';
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

export function ruleByCode(code: RuleCode): Rule | undefined {
  return RULES.find((rule) => rule.code === code);
}

export const DOCS_BASE_URL = 'https://github.com/grpc-fork-guard/grpc-fork-guard/blob/main/docs/rules/';

export function ruleDocsUrl(code: RuleCode): string {
  return `${DOCS_BASE_URL}${code}.md`;
}
