// A minimal terminal screen for tests: applies printable text, \r, \n,
// cursor-up (ESC[nA), erase-to-end-of-screen (ESC[J) and ignores colours
// (ESC[...m), which is all the live view uses. Any other escape sequence is
// recorded so a test can fail on it.
const ESC = '\x1b';

export class VirtualTerminal {
  lines: string[] = [''];
  row = 0;
  col = 0;
  unknown: string[] = [];
  /** The screen just before each erase: every frame the live view drew before it redrew. */
  snapshots: string[][] = [];

  constructor(readonly columns: number) {}

  write(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      if (c === ESC && data[i + 1] === '[') {
        const m = /^\[([0-9;?]*)([A-Za-z])/.exec(data.slice(i + 1));
        if (!m) {
          this.unknown.push(JSON.stringify(data.slice(i, i + 8)));
          continue;
        }
        i += m[0].length;
        this.csi(m[1]!, m[2]!);
      } else if (c === '\r') {
        this.col = 0;
      } else if (c === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push('');
      } else if (c >= ' ' || c === '\t') {
        if (this.col >= this.columns) {
          // Auto-wrap: the live view must never let this happen.
          this.row++;
          this.col = 0;
          while (this.lines.length <= this.row) this.lines.push('');
        }
        const line = this.lines[this.row]!.padEnd(this.col, ' ');
        this.lines[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
  }

  private csi(params: string, op: string): void {
    const n = params === '' ? 1 : Number(params);
    switch (op) {
      case 'm':
        return;
      case 'A':
        this.row = Math.max(0, this.row - n);
        return;
      case 'J':
        this.snapshots.push([...this.lines]);
        this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
        this.lines.length = this.row + 1;
        return;
      default:
        this.unknown.push(`ESC[${params}${op}`);
    }
  }

  /** Non-empty screen lines. */
  screen(): string[] {
    return this.lines.filter((l) => l.trim() !== '');
  }
}
