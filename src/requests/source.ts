// The request source: named prepared requests and a picker, as a pure function
// of (seed, the run's send sequence number i). pick(i) chooses the request by
// weight (a seeded hash of i, no shared generator), and the placeholder values
// of send i come from its data row (row i for sequential data) and seeded
// hashes of i. Built from plain, structured-clone-able config (config.ts), so
// a worker thread rebuilds the same source and sends the same sequence.
import type { Dispatcher } from 'undici';
import { WeightedPicker, unit, ROW_SALT } from './hash.js';
import { fillField, type Cell, type FillContext } from './fill.js';
import type { Field } from './template.js';

export interface DataConfig {
  columns: string[];
  rows: Cell[][];
  order: 'sequential' | 'random';
  onEnd: 'wrap' | 'stop';
}

/** What every request source shares: names, weights, seed, data rows. Plain data. */
export interface SourceConfig {
  seed: number;
  names: string[];
  weights: number[];
  data: DataConfig | null;
}

export class RequestSource {
  private readonly picker: WeightedPicker;
  readonly names: readonly string[];
  private readonly seed: number;
  private readonly data: DataConfig | null;
  /** One context reused by every fill (filling is synchronous): no object per send. */
  protected readonly ctx: FillContext;

  constructor(cfg: SourceConfig) {
    this.names = cfg.names;
    this.seed = cfg.seed;
    this.data = cfg.data;
    this.picker = new WeightedPicker(cfg.weights, cfg.seed);
    const columns = new Map<string, number>();
    cfg.data?.columns.forEach((c, k) => columns.set(c, k));
    this.ctx = { i: 0, row: null, seed: cfg.seed, salt: 0, columns };
  }

  /** Index of the request send i carries. */
  pick(i: number): number {
    return this.picker.pick(i);
  }

  /** Data row index of send i (sequential: i, wrapping; random: a hash of i), or -1 without data. */
  rowIndex(i: number): number {
    const d = this.data;
    if (!d) return -1;
    const n = d.rows.length;
    return d.order === 'random' ? Math.floor(unit(this.seed, i, ROW_SALT) * n) : i % n;
  }

  /** Most sends the data allows (data.onEnd stop), else Infinity. */
  get sendLimit(): number {
    return this.data?.onEnd === 'stop' ? this.data.rows.length : Infinity;
  }

  /** Points the shared fill context at send i of request req. */
  protected at(i: number, req: number): FillContext {
    const c = this.ctx;
    c.i = i;
    c.salt = req * 0x100000;
    const r = this.rowIndex(i);
    c.row = r < 0 ? null : (this.data as DataConfig).rows[r]!;
    return c;
  }
}

/** One HTTP request of the mix, compiled: static fields are strings, templated ones TextTemplates. */
export interface HttpRequestSpec {
  name: string;
  method: string;
  /** Path after target.url's own path. */
  path: Field;
  /** The path as the scenario writes it (placeholders, ${env:} references unresolved): what messages show, never a secret. */
  pathAsWritten: string;
  headers: [string, Field][];
  body: Field | null;
  okStatus?: number[];
}

export interface HttpSourceConfig extends SourceConfig {
  origin: string;
  /** target.url's path without its trailing slash, put before each request's path. */
  pathPrefix: string;
  requests: HttpRequestSpec[];
}

const isStatic = (r: HttpRequestSpec) =>
  typeof r.path === 'string' && (r.body === null || typeof r.body === 'string') && r.headers.every(([, v]) => typeof v === 'string');

/** HTTP requests as undici dispatch options: built once for a request without placeholders, per send for one with. */
export class HttpRequestSource extends RequestSource {
  private readonly built: (Dispatcher.DispatchOptions | null)[];
  private readonly specs: HttpRequestSpec[];
  private readonly okSets: (readonly number[] | undefined)[];

  constructor(private readonly cfg: HttpSourceConfig) {
    super(cfg);
    this.specs = cfg.requests;
    this.built = cfg.requests.map((r, k) => (isStatic(r) ? this.build(k, 0) : null));
    this.okSets = cfg.requests.map((r) => r.okStatus);
  }

  private build(req: number, i: number): Dispatcher.DispatchOptions {
    const r = this.specs[req]!;
    const c = this.at(i, req);
    let base = 0;
    const path = this.cfg.pathPrefix + fillField(r.path, c, base);
    if (typeof r.path !== 'string') base += r.path.slots.length;
    const headers: Record<string, string> = {};
    for (const [name, v] of r.headers) {
      headers[name] = fillField(v, c, base);
      if (typeof v !== 'string') base += v.slots.length;
    }
    const body = r.body === null ? undefined : fillField(r.body, c, base);
    return { origin: this.cfg.origin, method: r.method as Dispatcher.HttpMethod, path, headers, body };
  }

  /** Dispatch options of send i carrying request req (the prepared object itself when req has no placeholders). */
  options(req: number, i: number): Dispatcher.DispatchOptions {
    return this.built[req] ?? this.build(req, i);
  }

  /** True when status counts as success for request req (its okStatus, else below 400). */
  isOk(req: number, status: number): boolean {
    const ok = this.okSets[req];
    return ok ? ok.includes(status) : status < 400;
  }

  /** The request's method and path as written (placeholders and ${env:} references shown, never their values), for messages. */
  describe(req: number): string {
    const r = this.specs[req]!;
    return `${r.method} ${this.cfg.pathPrefix}${r.pathAsWritten}`;
  }
}
