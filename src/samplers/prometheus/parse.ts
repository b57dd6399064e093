// Parser of the Prometheus text exposition format (version 0.0.4, as served by
// client_golang's /metrics), tolerant of the OpenMetrics text additions that
// matter here (# EOF, exemplars after " # ", _created samples, quoted UTF-8
// metric names). Strict like Prometheus itself: one malformed line fails the
// whole page, so a value is never read from a page that was misunderstood.
// Pure.

/** Metric family types as declared by "# TYPE name type". */
export type PromType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown' | 'untyped';

export interface PromSample {
  /** Sample name as exposed, e.g. go_gc_duration_seconds_sum. */
  name: string;
  labels: Record<string, string>;
  /** May be NaN or +/-Infinity (the format allows them). */
  value: number;
}

export interface PromExposition {
  samples: PromSample[];
  /** Family name -> declared type. */
  types: Map<string, PromType>;
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped']);
const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:]/;
const LABEL_START = /[A-Za-z_]/;
const LABEL_CHAR = /[A-Za-z0-9_]/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

class LineError extends Error {}

/** Parses a whole /metrics page; throws "invalid exposition: line N: <what>" on the first malformed line. */
export function parsePrometheusText(text: string): PromExposition {
  const samples: PromSample[] = [];
  const types = new Map<string, PromType>();
  // Lines are cut one at a time (no split of the whole page): a page that is wrong fails at its first bad line at once.
  for (let i = 0, start = 0; start <= text.length; i++) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(start, end).replace(/\r$/, '').trim();
    start = end + 1;
    if (line === '') continue;
    try {
      if (line.startsWith('#')) {
        if (line === '# EOF') break;
        parseComment(line, types);
      } else {
        samples.push(parseSampleLine(line));
      }
    } catch (err) {
      if (err instanceof LineError) throw new Error(`invalid exposition: line ${i + 1}: ${err.message}`);
      throw err;
    }
  }
  return { samples, types };
}

/** The complete lines at the start of a page must parse: a page that is not an exposition is refused before the rest is read. */
export function checkExpositionHead(head: string): void {
  const nl = head.lastIndexOf('\n');
  if (nl >= 0) parsePrometheusText(head.slice(0, nl + 1));
}

/** Parses one sample line: name{labels} value [timestamp] [# exemplar]. */
export function parseSampleLine(line: string): PromSample {
  const cur = new Cursor(line);
  let name = '';
  const labels: Record<string, string> = {};
  if (cur.peek() !== '{') name = cur.readName(NAME_START, NAME_CHAR, 'a metric name');
  cur.skipSpaces();
  if (cur.peek() === '{') {
    cur.pos++;
    for (;;) {
      cur.skipSpaces();
      if (cur.peek() === '}') break;
      const key = cur.peek() === '"' ? cur.readQuoted() : cur.readName(LABEL_START, LABEL_CHAR, 'a label name');
      cur.skipSpaces();
      if (cur.peek() === '=') {
        cur.pos++;
        cur.skipSpaces();
        if (cur.peek() !== '"') throw new LineError(`expected a quoted value for label ${key}`);
        if (Object.hasOwn(labels, key)) throw new LineError(`label ${key} repeated`);
        labels[key] = cur.readQuoted();
      } else if (name === '') {
        name = key; // Prometheus 3 form: {"metric.name", label="v"}
      } else {
        throw new LineError(`expected "=" after label ${key}`);
      }
      cur.skipSpaces();
      if (cur.peek() === ',') cur.pos++;
      else if (cur.peek() !== '}') throw new LineError('expected "," or "}" in the label set');
    }
    cur.pos++;
  }
  if (name === '') throw new LineError('missing metric name');
  const rest = line.slice(cur.pos).split(' # ', 1)[0] as string;
  const tokens = rest
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new LineError(`missing value for ${name}`);
  if (tokens.length > 2) throw new LineError(`unexpected text after the value of ${name}`);
  const value = parseValue(tokens[0] as string);
  if (value === undefined) throw new LineError(`invalid value ${JSON.stringify(tokens[0])} for ${name}`);
  if (tokens[1] !== undefined && parseValue(tokens[1]) === undefined) throw new LineError(`invalid timestamp ${JSON.stringify(tokens[1])}`);
  return { name, labels, value };
}

/** A sample value: a float, NaN, +Inf, -Inf. */
export function parseValue(token: string): number | undefined {
  switch (token) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  return FLOAT.test(token) ? Number(token) : undefined;
}

function parseComment(line: string, types: Map<string, PromType>): void {
  const cur = new Cursor(line);
  cur.pos = 1;
  cur.skipSpaces();
  const keyword = /^(TYPE|HELP)\s/.exec(line.slice(cur.pos));
  if (!keyword) return; // any other comment
  cur.pos += 4;
  cur.skipSpaces();
  const name = cur.peek() === '"' ? cur.readQuoted() : cur.readName(NAME_START, NAME_CHAR, 'a metric name');
  if (keyword[1] === 'HELP') return;
  const type = line.slice(cur.pos).trim();
  if (!TYPES.has(type)) throw new LineError(`unknown type ${JSON.stringify(type)} for ${name}`);
  if (!types.has(name)) types.set(name, type as PromType);
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  readName(start: RegExp, rest: RegExp, what: string): string {
    const from = this.pos;
    const first = this.peek();
    if (first === undefined || !start.test(first)) throw new LineError(`expected ${what} at column ${from + 1}`);
    this.pos++;
    for (let c = this.peek(); c !== undefined && rest.test(c); c = this.peek()) this.pos++;
    return this.text.slice(from, this.pos);
  }

  /** Reads "..." with the escapes \\, \" and \n. */
  readQuoted(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new LineError('unterminated quoted string');
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.peek();
        this.pos++;
        if (e === 'n') out += '\n';
        else if (e === '\\' || e === '"') out += e;
        else if (e === undefined) throw new LineError('unterminated quoted string');
        else out += `\\${e}`;
      } else {
        out += c;
      }
    }
  }
}
