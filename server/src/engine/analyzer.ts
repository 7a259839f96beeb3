// The engine's entry point: text and configuration in, findings (with fixes) out.
// Pure apart from the grammar, which is loaded once; no LSP, VS Code or file-system access here
// (a ModuleResolver supplies other workspace files when cross-file analysis is wanted).
import type { Language, Parser, Tree } from 'web-tree-sitter';
import { AnalysisBudget, BudgetExceeded, DEFAULT_BUDGET, ParserFailure, failureReason, isWasmTrap, notAnalysed, utf8Length } from './budgets';
import { EngineConfig, isRuleEnabled } from './config';
import type { Finding, RelatedLocation, Severity } from './findings';
import { ignoreForFile, ignoreForLine } from './fixes/suppressionFixes';
import { EditContext } from './fixes/editContext';
import { CarryOverBasis, carryOver, carryOverBasis } from './carryOver';
import type { ProgramOutline } from './model/entryPoints';
import { walkProgram } from './model/executionOrder';
import type { ModuleResolver } from './model/imports';
import { RunnerFact, runnerView } from './model/runners';
import { wrapLongLines } from './fixes/lineWrap';
import { SourceFile, nodeRange } from './model/sourceFile';
import { forgetTree } from './model/syntax';
import { NestingGuard, nestingRefusal } from './nestingDepth';
import { loadPythonLanguage, parserFor, textForParser } from './pythonParser';
import { relevanceTest } from './relevance';
import { RULES } from './rules/registry';
import type { Rule, RuleReport } from './rules/rule';
import { isSuppressed, readSuppressions } from './suppression';
import { syntaxErrorNotice } from './syntaxErrors';

export interface AnalysisOptions {
  /**
   * A tree for this exact text (the server keeps one per document, edited incrementally), or a
   * function that parses it: called only when the text is within the budgets.
   */
  tree?: Tree | ((deadline: number) => Tree | undefined);
  resolver?: ModuleResolver;
  /** Called when a rule throws: the other rules still report. */
  onRuleError?: (rule: Rule, error: unknown) => void;
  /** Pre-forking runners the workspace configures (gunicorn, uWSGI, ...), for GF104; a function is called only when needed. */
  runners?: readonly RunnerFact[] | (() => readonly RunnerFact[]);
  budget?: Partial<AnalysisBudget>;
  /**
   * Set by an editor that analyses version after version of a document: the result then carries a
   * basis, and the findings of `from` (the previous version's basis) are carried over when the edit
   * between the two texts cannot change them (carryOver.ts).
   */
  carryOver?: { from?: CarryOverBasis };
}

export interface AnalysisResult {
  /** The findings, or one GF000 notice when the file could not be (fully) analysed. */
  findings: Finding[];
  /** The tree analysed (undefined when the file was not parsed); the caller deletes one it did not pass in. */
  tree?: Tree;
  /** With `carryOver`: what the next version's analysis may carry these findings over from. */
  basis?: CarryOverBasis;
  /** The findings were carried over from the previous version, not found by walking this one. */
  carried?: boolean;
}

// A text whose tree proves the parser still works after it was replaced.
const CANARY = 'import os\nx = 1\n';

export class Analyzer {
  private parser: Parser;
  /** The parser failed: a new one is made before the next parse (making it now could fail too, when the stack is what ran out). */
  private stale = false;
  /** Set when even a new parser fails: every later file gets a notice instead of an empty result. */
  private unusable: string | undefined;
  /** The nesting guard, judging a keystroke's edit from the last measure of the same document. */
  private readonly nesting = new NestingGuard();

  private constructor(private readonly language: Language) {
    this.parser = parserFor(language);
  }

  static async create(grammarDir?: string): Promise<Analyzer> {
    return new Analyzer(await loadPythonLanguage(grammarDir));
  }

  /**
   * Parses `text`. After a WebAssembly trap or a stack overflow inside the parser, that parser is
   * not trusted again: this throws ParserFailure and the next parse makes a new one. A null tree
   * (the time budget cancelled the parse) resets the parser.
   */
  parse(text: string, oldTree?: Tree, deadline?: number): Tree {
    if (this.stale) this.renewParser();
    if (this.unusable) throw new ParserFailure(this.unusable);
    let tree: Tree | null;
    try {
      const options = deadline === undefined ? undefined : { progressCallback: () => Date.now() > deadline };
      tree = this.parser.parse(textForParser(text), oldTree ?? null, options);
    } catch (error) {
      this.stale = true;
      throw new ParserFailure(`the parser failed (${(error as Error).message})`);
    }
    if (!tree) {
      this.parser.reset();
      if (deadline !== undefined && Date.now() > deadline) throw new BudgetExceeded('parsing took longer than the time budget');
      throw new ParserFailure('the parser returned no tree');
    }
    return tree;
  }

  /** Parses `text` unless a budget refuses it or the parser fails: for files read only for context (imports). */
  parseWithinBudget(text: string, budget: Partial<AnalysisBudget> = {}): Tree | undefined {
    if (refusal(text, { ...DEFAULT_BUDGET, ...budget })) return undefined;
    try {
      return this.parse(text);
    } catch (error) {
      if (failureReason(error) === undefined) throw error;
      return undefined;
    }
  }

  analyze(path: string, text: string, config: EngineConfig, options: AnalysisOptions = {}): AnalysisResult {
    const budget = { ...DEFAULT_BUDGET, ...options.budget };
    const refused = refusal(text, budget, (t) => this.nesting.refusal(path, t));
    if (refused) return { findings: [notAnalysed(`Not analysed: ${refused}.`)] };
    const deadline = Date.now() + budget.timeMs;
    let parsed: Tree | undefined;
    try {
      const tree = typeof options.tree === 'function' ? options.tree(deadline) : options.tree ?? (parsed = this.parse(text, undefined, deadline));
      if (!tree) return { findings: [] };
      const configKey = options.carryOver ? JSON.stringify(config) : '';
      const carried = options.carryOver?.from && carryOver(options.carryOver.from, text, tree, configKey);
      if (carried) return { findings: carried.findings, tree, basis: carried.basis, carried: true };
      const file: SourceFile = { path, text, tree };
      // The outline is read while the analysis still holds what it read of the tree.
      let outline: { interestingNames: ReadonlySet<string>; unwalked: number[] } | undefined;
      const onOutline = options.carryOver && ((o: ProgramOutline) => (outline = { interestingNames: o.interestingNames, unwalked: o.unwalkedFunctions() }));
      const findings = analyzeFile(file, config, { ...options, deadline, timeBudgetMs: budget.timeMs, onOutline });
      const basis = outline && carryOverBasis(text, configKey, config.channelFactories, findings, outline);
      return { findings, tree, basis };
    } catch (error) {
      const reason = failureReason(error);
      if (reason === undefined) throw error;
      // A trap outside parse() (a node accessor) may also have broken the parser's memory.
      if (isWasmTrap(error)) this.stale = true;
      parsed?.delete();
      return { findings: [notAnalysed(`Could not be analysed: ${reason}.`)], tree: typeof options.tree === 'object' ? options.tree : undefined };
    }
  }

  /** A new parser, proved on a canary text; a RangeError (no stack left) leaves it stale for the next call. */
  private renewParser(): void {
    const fresh = parserFor(this.language);
    const old = this.parser;
    this.parser = fresh;
    try {
      old.delete();
    } catch {
      // The old parser's memory may be what broke: it is left, never freed twice.
    }
    let works = false;
    try {
      const canary = this.parser.parse(CANARY);
      works = canary?.rootNode.type === 'module' && !canary.rootNode.hasError && canary.rootNode.namedChildCount === 2;
      canary?.delete();
    } catch (error) {
      if (error instanceof RangeError) throw error;
    }
    this.stale = false;
    if (!works) this.unusable = 'the parser stopped working after an earlier failure; restart the language server or run the check again';
  }
}

function refusal(text: string, budget: AnalysisBudget, nesting: (text: string) => string | undefined = nestingRefusal): string | undefined {
  // A UTF-16 unit is at least one UTF-8 byte: the exact count is needed only near the limit.
  if (text.length > budget.maxFileBytes || (text.length * 3 > budget.maxFileBytes && utf8Length(text) > budget.maxFileBytes)) {
    return `the file is larger than ${formatBytes(budget.maxFileBytes)}`;
  }
  const deep = nesting(text);
  return deep && `${deep}, deeper than the parser and the analyser handle safely`;
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;
}

export interface FileAnalysisOptions extends AnalysisOptions {
  /** Date.now() past which the rules not yet run are skipped (and a notice says which). */
  deadline?: number;
  timeBudgetMs?: number;
  /** Given what the walk decided about the module's definitions, once every rule has run (the tree is still whole). */
  onOutline?: (outline: ProgramOutline) => void;
}

export function analyzeFile(file: SourceFile, config: EngineConfig, options: FileAnalysisOptions = {}): Finding[] {
  try {
    return analyzeTree(file, config, options);
  } finally {
    // What the analysis kept of the tree's nodes is not needed once the findings (ranges, no nodes) are made.
    forgetTree(file.tree);
  }
}

function analyzeTree(file: SourceFile, config: EngineConfig, options: FileAnalysisOptions): Finding[] {
  const suppressions = readSuppressions(file.tree, file.text);
  if (suppressions.file.has('all')) return [];
  const walkOptions = {
    targetPython: config.targetPython,
    targetPlatform: config.targetPlatform,
    channelFactories: config.channelFactories,
    canMatter: relevanceTest(config.channelFactories),
    resolver: options.resolver,
  };
  const { timeline, outline } = walkProgram(file, walkOptions);
  const runners = runnerView(file, timeline, options.runners ?? [], walkOptions);
  // One edit context for the file, made on first use, shared by every rule's fixes, the line
  // wrapping and the suppressions.
  let edits: EditContext | undefined;
  const context = () => (edits ??= new EditContext(file, config.importLint));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const notices: Finding[] = [];
  const unchecked: string[] = [];
  for (const rule of RULES) {
    if (!isRuleEnabled(config, rule.code)) continue;
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      unchecked.push(rule.code);
      continue;
    }
    const severitySetting = config.severity[rule.code];
    const severity = severitySetting && severitySetting !== 'off' ? severitySetting : rule.defaultSeverity;
    const report = (r: RuleReport) => {
      if (r.at.path !== file.path) return;
      const range = nodeRange(r.at.node);
      const key = `${rule.code}:${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}`;
      if (seen.has(key)) return;
      seen.add(key);
      const finding: Finding = {
        code: rule.code,
        severity: r.severity ? milder(r.severity, severity) : severity,
        message: r.message,
        range,
        related: (r.related ?? []).map((rel): RelatedLocation => ('site' in rel
          ? { path: rel.site.path === file.path ? undefined : rel.site.path, range: nodeRange(rel.site.node), message: rel.message }
          : rel)),
        fixes: (r.fixes ?? []).map((fix) => wrapLongLines(context(), fix)),
      };
      if (isSuppressed(finding, suppressions)) return;
      finding.fixes.push(ignoreForLine(context(), rule.code, range.start.line, suppressions), ignoreForFile(context(), rule.code, suppressions));
      findings.push(finding);
    };
    try {
      rule.check({
        file, timeline, config, runners, report,
        get edits() {
          return context();
        },
      });
    } catch (error) {
      options.onRuleError?.(rule, error);
      // A rule that fails loses its findings: the file says so rather than looking clean.
      notices.push(notAnalysed(`${rule.code} could not check this file: ${failureReason(error) ?? `internal error (${(error as Error).message})`}.`));
    }
  }
  options.onOutline?.(outline);
  const syntaxError = syntaxErrorNotice(file.tree, file.text, config.channelFactories, findings.length > 0);
  if (syntaxError) notices.push(syntaxError);
  if (unchecked.length) {
    notices.push(notAnalysed(`Partly analysed: the time budget of ${(options.timeBudgetMs ?? 0) / 1000} s ran out before ${unchecked.join(', ')} could check this file.`));
  }
  findings.push(...notices);
  return findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
}

const SEVERITY_ORDER: Severity[] = ['hint', 'information', 'warning', 'error'];

/** A report's own severity, capped by the configured one. */
function milder(a: Severity, b: Severity): Severity {
  return SEVERITY_ORDER.indexOf(a) < SEVERITY_ORDER.indexOf(b) ? a : b;
}
