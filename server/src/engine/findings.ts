// The engine's output types. They mirror LSP shapes (0-based lines, UTF-16 characters) so the
// server and the CLI can pass them on without conversion, but nothing here imports LSP.

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface FileEdits {
  /** Absolute path of the file. */
  path: string;
  edits: TextEdit[];
}

/** Ruff's notion: a safe fix only removes the hazard; an unsafe one may change other behaviour. */
export type Applicability = 'safe' | 'unsafe';

/**
 * What a fix does, declared by the module that builds it, for code that chooses among fixes or
 * tests them (never their titles, which are for people and change wording).
 */
export type FixKind =
  // Channels and clients that cross a fork (GF101-GF104).
  | 'closeBeforeFork' | 'withBlock' | 'poolInitializer' | 'createInChild' | 'createInForkBranch'
  | 'perProcessAccessor' | 'runnerHook' | 'enableForkSupport' | 'createAfterFork'
  // The start method.
  | 'spawnAtForkSite' | 'spawnForProgram'
  // Servers (GF201-GF204).
  | 'serverAfterFork' | 'serverInChild' | 'serverInPoolInitializer' | 'forkExecAsSubprocess' | 'libraryWorkersAsThreads'
  | 'addReuseport' | 'moveOptionsToServer' | 'removePortOptions' | 'useThreadPool'
  // Environment settings (GF301-GF303).
  | 'moveEnvSettings' | 'setEnvBeforeGrpc' | 'setPollStrategy'
  // Suppressions.
  | 'ignoreLine' | 'ignoreFile';

/** Every fix builder returns this (or undefined when it has no fix); see fixes/editContext.ts. */
export interface Fix {
  title: string;
  kind: FixKind;
  applicability: Applicability;
  /** Edits to the analysed file, non-overlapping. */
  edits: TextEdit[];
  /**
   * Edits to other files of the project (gunicorn's `post_fork` goes into its configuration file),
   * made against the text the engine was given for them. "Fix all" never applies these fixes: it
   * rewrites one file.
   */
  otherFiles?: FileEdits[];
  /**
   * The fix does half of the job (SPEC §3's measurements: a child's own channel works only once the
   * parent's is closed or fork support is on); its title says what else is needed.
   */
  partial?: boolean;
  /** Suppression fixes are offered but never applied by "fix all". */
  isSuppression?: boolean;
  /**
   * Fixes of several findings about one hazard (GF101 and GF102 on one channel and fork) share
   * this key; "fix all" applies one fix per key, so two strategies are never mixed.
   */
  hazard?: string;
}

export interface RelatedLocation {
  /** Absolute path of the file, or undefined for the analysed file itself. */
  path?: string;
  range: Range;
  message: string;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
}

/**
 * The code of the notice that a file was not (fully) analysed: too large, too deeply nested, a
 * parser failure or the time budget. It is reported like a finding so every output shows it, but
 * no rule makes it and no setting turns it off.
 */
export const NOT_ANALYSED = 'GF000' as const;

/**
 * The form of a rule code. Which codes exist is the registry's to say (RULE_CODES and isRuleCode
 * in rules/registry.ts): this layer sits below the rules and cannot list them.
 */
export type RuleCode = `GF${number}`;

export type FindingCode = RuleCode | typeof NOT_ANALYSED;
