// Parses Go's text goroutine profile (/debug/pprof/goroutine?debug=1), whose
// first line is "goroutine profile: total N". Pure.

const HEADER = /^goroutine profile: total (\d+)\s*$/;

/** The goroutine total, or throws a short reason. */
export function parseGoroutineTotal(text: string): number {
  const firstLine = text.replace(/^\s+/, '').split('\n', 1)[0] ?? '';
  const m = HEADER.exec(firstLine);
  if (m) return Number(m[1]);
  if (text.charCodeAt(0) === 0x1f) throw new Error('binary profile (debug=0); use ?debug=1');
  if (/^goroutine \d+ \[/.test(firstLine)) throw new Error('full stack dump (debug=2); use ?debug=1');
  throw new Error(`no "goroutine profile: total N" line (got ${JSON.stringify(firstLine.slice(0, 40))})`);
}
