// The contract between the engine and a rule: a rule reads the semantic model (the timeline and
// the tree) and reports findings; it never parses, walks execution order or formats for a surface.
import type { EngineConfig } from '../config';
import type { Fix, Range, RelatedLocation, RuleCode, Severity } from '../findings';
import type { PythonEdits } from '../fixes/pythonEdits';
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
  /** Edit helpers for this file, for rules that build fixes. */
  edits: PythonEdits;
  /** Pre-forking runners that load modules of the project (GF104). */
  runners: RunnerView;
  report(report: RuleReport): void;
}

export interface Rule {
  code: RuleCode;
  name: string;
  defaultSeverity: Severity;
  docs: RuleDocs;
  check(context: RuleContext): void;
}

export type { RelatedLocation };
