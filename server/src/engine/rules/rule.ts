// The contract between the engine and a rule: a rule reads the semantic model (the timeline and
// the tree) and reports findings; it never parses, walks execution order or formats for a surface.
import type { EngineConfig } from '../config';
import type { Fix, Range, RelatedLocation, RuleCode, Severity } from '../findings';
import type { EditContext } from '../fixes/editContext';
import type { RunnerView } from '../model/runners';
import type { SourceFile } from '../model/sourceFile';
import type { Site, Timeline } from '../model/timeline';

/** A rule's documentation, kept in its module (as Ruff does) and rendered to docs/rules/. */
export interface RuleDocs {
  /** One line: what the rule finds. */
  summary: string;
  whatItDoes: string;
  whyIsThisBad: string;
  example: string;
  useInstead: string;
  fixes: string;
  fixSafety?: string;
  options?: string;
  references?: string[];
}

export interface RuleReport {
  /** Where the diagnostic goes; reports for other files are dropped. */
  at: Site;
  /** End of the range when it should extend past `at.node` (rare). */
  message: string;
  related?: ({ site: Site; message: string } | ExternalRelated)[];
  fixes?: Fix[];
  /**
   * A milder severity for this report than the rule's (GF302's missing strategy, GF202's unset
   * option): never above the severity in force for the rule.
   */
  severity?: Severity;
}

/** Related information in a file that is not Python (a Procfile, gunicorn.conf.py as text). */
export interface ExternalRelated {
  path: string;
  range: Range;
  message: string;
}

export interface RuleContext {
  file: SourceFile;
  timeline: Timeline;
  config: EngineConfig;
  /** The file's edit context, made once per file: every fix of every rule is built with it. */
  edits: EditContext;
  /** Pre-forking runners that load modules of the project (GF104). */
  runners: RunnerView;
  report(report: RuleReport): void;
}

/**
 * What a rule needs to see before it can report, declared beside its check so that the two
 * relevance tests (engine/relevance.ts) are the union over the registry and a new rule cannot be
 * filtered out by a test that does not know it.
 */
export interface RuleTriggers {
  /**
   * Text one of which the analysed file holds, or a workspace module it imports holds, whenever the
   * rule reports in that file: the workspace scan's byte pre-filter looks for these.
   */
  reportNeeds: readonly string[];
  /**
   * The rule reports about gRPC objects that the API catalog's factories make (channels, library
   * clients, the `channel-factories` setting): an import of a catalog root is then a need too.
   */
  catalogObjects?: boolean;
  /**
   * Words of the APIs the rule follows through the program (forks, pools, runners, environment
   * writes): a module or definition that mentions none of any rule's words is opaque to the walk.
   */
  follows: readonly string[];
}

/** The fork APIs of SPEC §2: `os.fork`, multiprocessing, process pools. */
export const FORK_WORDS = ['fork', 'multiprocessing', 'ProcessPoolExecutor', 'Process', 'Pool', 'concurrent'];
/** Writes of gRPC's environment variables. */
export const ENVIRONMENT_WORDS = ['GRPC_', 'environ', 'putenv'];
/** Pre-forking runners that load project modules before they fork (GF104). */
export const RUNNER_WORDS = ['celery', 'Celery', 'shared_task', 'gunicorn', 'functions_framework', 'uwsgi'];

export interface Rule<Code extends RuleCode = RuleCode> {
  code: Code;
  name: string;
  defaultSeverity: Severity;
  triggers: RuleTriggers;
  docs: RuleDocs;
  check(context: RuleContext): void;
}

/** Keeps a rule's code as its literal type (`'GF101'`, not any code). */
export function defineRule<Code extends RuleCode>(rule: Rule<Code>): Rule<Code> {
  return rule;
}

export type { RelatedLocation };
