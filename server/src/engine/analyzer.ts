// The engine's entry point: text and configuration in, findings (with fixes) out.
// Pure apart from the grammar, which is loaded once; no LSP, VS Code or file-system access here
// (a ModuleResolver supplies other workspace files when cross-file analysis is wanted).
import type { Parser, Tree } from 'web-tree-sitter';
import { EngineConfig, isRuleEnabled } from './config';
import type { Finding, RelatedLocation, Severity } from './findings';
import { ignoreForFile, ignoreForLine } from './fixes/suppressionFixes';
import { PythonEdits } from './fixes/pythonEdits';
import { TextLines } from './fixes/textLines';
import { buildTimeline } from './model/executionOrder';
import type { ModuleResolver } from './model/imports';
import { RunnerFact, runnerView } from './model/runners';
import { SourceFile, nodeRange } from './model/sourceFile';
import { createPythonParser } from './pythonParser';
import { RULES } from './rules/registry';
import type { Rule, RuleReport } from './rules/rule';
import { isSuppressed, readSuppressions } from './suppression';

export interface AnalysisOptions {
  /** A tree for this exact text (the server keeps one per document, edited incrementally). */
  tree?: Tree;
  resolver?: ModuleResolver;
  /** Called when a rule throws: the other rules still report. */
  onRuleError?: (rule: Rule, error: unknown) => void;
  /** Pre-forking runners the workspace configures (gunicorn, uWSGI, ...), for GF104; a function is called only when needed. */
  runners?: readonly RunnerFact[] | (() => readonly RunnerFact[]);
}

export interface AnalysisResult {
  findings: Finding[];
  tree: Tree;
}

export class Analyzer {
  private constructor(private readonly parser: Parser) {}

  static async create(grammarDir?: string): Promise<Analyzer> {
    return new Analyzer(await createPythonParser(grammarDir));
  }

  parse(text: string, oldTree?: Tree): Tree {
    const tree = this.parser.parse(text, oldTree ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }

  analyze(path: string, text: string, config: EngineConfig, options: AnalysisOptions = {}): AnalysisResult {
    const tree = options.tree ?? this.parse(text);
    const file: SourceFile = { path, text, tree };
    const findings = analyzeFile(file, config, options);
    return { findings, tree };
  }
}

export function analyzeFile(file: SourceFile, config: EngineConfig, options: AnalysisOptions = {}): Finding[] {
  const suppressions = readSuppressions(file.tree, file.text);
  if (suppressions.file.has('all')) return [];
  const walkOptions = {
    targetPython: config.targetPython,
    targetPlatform: config.targetPlatform,
    channelFactories: config.channelFactories,
    resolver: options.resolver,
  };
  const timeline = buildTimeline(file, walkOptions);
  const runners = runnerView(file, timeline, options.runners ?? [], walkOptions);
  const lines = new TextLines(file.text);
  let edits: PythonEdits | undefined;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of RULES) {
    if (!isRuleEnabled(config, rule.code)) continue;
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
        fixes: r.fixes ?? [],
      };
      if (isSuppressed(finding, suppressions)) return;
      finding.fixes.push(ignoreForLine(rule.code, range.start.line, lines, suppressions), ignoreForFile(rule.code, lines, suppressions));
      findings.push(finding);
    };
    try {
      rule.check({
        file, timeline, config, runners, report,
        get edits() {
          edits ??= new PythonEdits(file);
          return edits;
        },
      });
    } catch (error) {
      options.onRuleError?.(rule, error);
    }
  }
  return findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
}

const SEVERITY_ORDER: Severity[] = ['hint', 'information', 'warning', 'error'];

/** A report's own severity, capped by the configured one. */
function milder(a: Severity, b: Severity): Severity {
  return SEVERITY_ORDER.indexOf(a) < SEVERITY_ORDER.indexOf(b) ? a : b;
}
