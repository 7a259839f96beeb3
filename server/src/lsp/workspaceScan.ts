// "Scan Workspace": analyses every Python file of every workspace folder, open or not, and
// publishes their diagnostics (Problems panel). Reports progress and honours cancellation.
import { URI } from 'vscode-uri';
import { CancellationToken, RequestType, WorkDoneProgressParams } from 'vscode-languageserver';
import { listPythonFiles } from '../workspace/pythonFiles';
import { toDiagnostic } from './diagnostics';
import type { GrpcForkGuardServer } from './server';

export interface ScanParams extends WorkDoneProgressParams {}

export interface ScanResult {
  files: number;
  filesWithFindings: number;
  findings: number;
  skipped: number;
  cancelled: boolean;
}

export const ScanRequest = new RequestType<ScanParams, ScanResult, void>('grpcForkGuard/scanWorkspace');

/** Files analysed between yields to the event loop, so cancellation and typing get through. */
const BATCH = 20;

export async function scanWorkspace(server: GrpcForkGuardServer, params: ScanParams, token: CancellationToken): Promise<ScanResult> {
  const result: ScanResult = { files: 0, filesWithFindings: 0, findings: 0, skipped: 0, cancelled: false };
  const project = server.projectAnalysis;
  if (!project) return result;
  // The client's own progress token when it sent one (VS Code shows a notification), else none.
  const reporter = params.workDoneToken ? server.connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
  const files: string[] = [];
  for (const folder of server.folders) {
    const settings = await server.settingsFor(URI.file(folder).toString());
    const exclude = server.withSettings(settings, () => project.configFor(`${folder}/__init__.py`).config.exclude);
    files.push(...listPythonFiles(folder, exclude));
  }
  // Nested workspace folders list some files twice.
  files.splice(0, files.length, ...new Set(files));
  reporter?.begin('gRPC Fork Guard: scanning workspace', 0, `0/${files.length} files`, true);
  const started = Date.now();
  for (let i = 0; i < files.length; i++) {
    if (token.isCancellationRequested) {
      result.cancelled = true;
      break;
    }
    const file = files[i];
    const uri = URI.file(file).toString();
    result.files++;
    if (!server.isOpen(file)) {
      const settings = await server.settingsFor(uri);
      const report = settings.enable ? server.withSettings(settings, () => project.analyzeFile(file)) : { path: file, findings: [] };
      if ('skipped' in report && report.skipped) {
        result.skipped++;
        server.logger.info(`Scan: ${file} skipped: ${report.skipped}`);
      }
      if (report.findings.length) {
        result.filesWithFindings++;
        result.findings += report.findings.length;
      }
      await server.connection.sendDiagnostics({ uri, diagnostics: report.findings.map((f) => toDiagnostic(f, uri)) });
    }
    if (i % BATCH === BATCH - 1) {
      if (reporter) server.reportProgress(reporter, i + 1, files.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  reporter?.done();
  server.logger.info(`Scan ${result.cancelled ? 'cancelled' : 'finished'}: ${result.files}/${files.length} files, ${result.findings} finding(s) in ${Date.now() - started} ms`);
  return result;
}
