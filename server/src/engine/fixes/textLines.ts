// Line-oriented facts about a file that edits must respect: its line ending, line lengths, and
// where the header (shebang, encoding line) ends.
export class TextLines {
  readonly lines: string[];
  readonly eol: string;

  constructor(readonly text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
    this.eol = /\r\n/.test(text) ? '\r\n' : '\n';
  }

  lineLength(line: number): number {
    return this.lines[line]?.length ?? 0;
  }

  /** End of the line without trailing whitespace. */
  lineContentEnd(line: number): number {
    return (this.lines[line] ?? '').trimEnd().length;
  }

  /** First line after a shebang and a PEP 263 encoding declaration. */
  headerEnd(): number {
    let line = 0;
    if (this.lines[0]?.startsWith('#!')) line++;
    if (/^[ \t\f]*#.*coding[:=][ \t]*[-\w.]+/.test(this.lines[line] ?? '')) line++;
    return line;
  }

  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lines[line] ?? '')![0];
  }
}
