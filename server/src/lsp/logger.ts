// Log lines to the client's output channel, filtered by the `grpcForkGuard.logLevel` setting.
import type { Connection } from 'vscode-languageserver';
import { LOG_LEVELS as ORDER, LogLevel } from '../../../shared/protocol';

export class Logger {
  level: LogLevel = 'info';

  constructor(private readonly connection: Connection) {}

  setLevel(level: unknown): void {
    if (typeof level === 'string' && (ORDER as string[]).includes(level)) this.level = level as LogLevel;
  }

  error(message: string): void {
    this.write('error', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  debug(message: string): void {
    this.write('debug', message);
  }

  private write(level: LogLevel, message: string): void {
    if (ORDER.indexOf(level) > ORDER.indexOf(this.level)) return;
    const line = `[${new Date().toISOString()}] [${level}] ${message}`;
    if (level === 'error') this.connection.console.error(line);
    else if (level === 'warn') this.connection.console.warn(line);
    else this.connection.console.log(line);
  }
}
