// "gRPC Fork Guard: Run File with Fork Check": runs the active Python file under `grpc-fork-guard run`
// (the bundled CLI, so the run-time findings and their confirmation are computed in one place) in a
// terminal of its own, then shows the findings as diagnostics tagged "seen at run time" until the
// file changes, and says "confirmed at run time" on hover over the static findings the run saw.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { ClientCommands } from '../../shared/protocol';

export const RUN_COMMAND = ClientCommands.runFileWithForkCheck;
export const RUN_TIME_SOURCE = 'grpc-fork-guard (seen at run time)';
const STATIC_SOURCE = 'grpc-fork-guard';

interface RunFinding {
  path: string;
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  related: { path: string; range: RunFinding['range']; message: string }[];
  confirmed: boolean;
  confirmedBy?: { path: string; code: string; range: RunFinding['range'] };
}

export interface RunOutcome {
  exitCode: number | null;
  findings: number;
}

/** Options a caller (a test) may give instead of the Python extension's interpreter. */
interface RunArguments {
  python?: string;
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
} as const;

export function registerRunWithForkCheck(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('grpcForkGuardRun');
  // file URI -> code@line of the static findings the last run confirmed
  const confirmed = new Map<string, { code: string; line: number; when: string }[]>();
  context.subscriptions.push(
    diagnostics,
    vscode.commands.registerCommand(RUN_COMMAND, (args?: RunArguments) => runActiveFile(context, diagnostics, confirmed, args)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      diagnostics.delete(event.document.uri);
      confirmed.delete(event.document.uri.toString());
    }),
    vscode.languages.registerHoverProvider({ language: 'python' }, {
      provideHover(document, position) {
        const seen = confirmed.get(document.uri.toString());
        if (!seen) return undefined;
        const lines = vscode.languages.getDiagnostics(document.uri)
          .filter((d) => d.source === STATIC_SOURCE && d.range.contains(position))
          .flatMap((d) => seen.filter((s) => s.code === codeOf(d) && s.line === d.range.start.line).map((s) => `**${s.code}: confirmed at run time** by the run of ${s.when}.`));
        return lines.length ? new vscode.Hover(new vscode.MarkdownString([...new Set(lines)].join('\n\n'))) : undefined;
      },
    }),
  );
}

async function runActiveFile(
  context: vscode.ExtensionContext,
  diagnostics: vscode.DiagnosticCollection,
  confirmed: Map<string, { code: string; line: number; when: string }[]>,
  args?: RunArguments,
): Promise<RunOutcome | undefined> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'python' || document.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('gRPC Fork Guard: open a Python file saved on disk to run it with the fork check.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    // Everything else of this extension reads code; this command runs it.
    void vscode.window.showWarningMessage('gRPC Fork Guard: Run File with Fork Check runs the file, so it needs a trusted workspace.');
    return undefined;
  }
  if (document.isDirty && !(await document.save())) return undefined;
  const file = document.uri.fsPath;
  const cwd = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? path.dirname(file);
  const python = args?.python ?? (await selectedInterpreter(document.uri)) ?? 'python3';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-fork-guard-editor-'));
  const output = path.join(scratch, 'findings.json');
  const cli = context.asAbsolutePath(path.join('dist', 'cli.js'));
  try {
    const exitCode = await runInTerminal(path.basename(file), process.execPath, [cli, 'run', '--format', 'json', '--output', output, '--', python, file], cwd);
    const findings = readFindings(output);
    publish(findings, cwd, diagnostics, confirmed, `${path.basename(file)} at ${new Date().toLocaleTimeString()}`);
    return { exitCode, findings: findings.length };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function readFindings(file: string): RunFinding[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RunFinding[];
  } catch {
    return []; // the run ended before reporting (the terminal shows why)
  }
}

function publish(findings: RunFinding[], cwd: string, diagnostics: vscode.DiagnosticCollection, confirmed: Map<string, { code: string; line: number; when: string }[]>, when: string): void {
  diagnostics.clear();
  confirmed.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const finding of findings) {
    const uri = vscode.Uri.file(path.resolve(cwd, finding.path)).toString();
    const diagnostic = new vscode.Diagnostic(toRange(finding.range), finding.message, SEVERITY[finding.severity] ?? vscode.DiagnosticSeverity.Warning);
    diagnostic.source = RUN_TIME_SOURCE;
    diagnostic.code = finding.code;
    diagnostic.relatedInformation = finding.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(path.resolve(cwd, r.path)), toRange(r.range)), r.message));
    byFile.set(uri, [...(byFile.get(uri) ?? []), diagnostic]);
    if (finding.confirmedBy) {
      const target = vscode.Uri.file(path.resolve(cwd, finding.confirmedBy.path)).toString();
      confirmed.set(target, [...(confirmed.get(target) ?? []), { code: finding.confirmedBy.code, line: finding.confirmedBy.range.start.line, when }]);
    }
  }
  for (const [uri, list] of byFile) diagnostics.set(vscode.Uri.parse(uri), list);
}

function toRange(range: RunFinding['range']): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : code === undefined ? undefined : String(code);
}

/** The interpreter the Python extension has selected for the file, when that extension is there. */
async function selectedInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = (extension.isActive ? extension.exports : await extension.activate()) as PythonExtensionApi | undefined;
    const environments = api?.environments;
    if (environments?.getActiveEnvironmentPath) {
      const selected = environments.getActiveEnvironmentPath(resource);
      const resolved = environments.resolveEnvironment ? await environments.resolveEnvironment(selected) : undefined;
      const executable = resolved?.executable?.uri?.fsPath ?? selected?.path;
      if (executable) return executable;
    }
    return api?.settings?.getExecutionDetails?.(resource)?.execCommand?.[0];
  } catch {
    return undefined;
  }
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment?(environment: { path: string } | undefined): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}

/** A terminal that shows the run's output and takes its input; resolves with the exit code. */
function runInTerminal(title: string, command: string, args: string[], cwd: string): Promise<number | null> {
  return new Promise((resolve) => {
    const write = new vscode.EventEmitter<string>();
    let child: ChildProcess | undefined;
    const show = (text: string) => write.fire(text.replace(/\r?\n/g, '\r\n'));
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open() {
        show(`Running ${title} with the gRPC fork check\n`);
        // The extension host's executable runs the bundled CLI as plain Node.
        child = spawn(command, args, { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', PYTHONUNBUFFERED: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdout?.setEncoding('utf8').on('data', show);
        child.stderr?.setEncoding('utf8').on('data', show);
        child.on('error', (error) => {
          show(`\ncannot start the run: ${error.message}\n`);
          resolve(null);
        });
        child.on('close', (code) => {
          show(`\n[exit code ${code}]\n`);
          resolve(code);
        });
      },
      close() {
        child?.kill();
      },
      handleInput(data) {
        show(data === '\r' ? '\n' : data);
        child?.stdin?.write(data === '\r' ? '\n' : data);
      },
    };
    vscode.window.createTerminal({ name: `gRPC Fork Guard: ${title}`, pty }).show(true);
  });
}
