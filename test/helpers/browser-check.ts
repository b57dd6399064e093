// Opens a report in Debian's headless Chromium (playwright-core, no browser
// download) and says what a person would see: console errors, any request
// beyond the file itself, and for every chart whether something was drawn.
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CRITPOINT_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Flags this machine needs: no sandbox as root, and no background traffic to a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The few DOM members the page check uses (the project compiles without the DOM lib). */
interface PageElement {
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getTotalLength?(): number;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getAttribute(name: string): string | null;
  scrollWidth: number;
  clientWidth: number;
}

export interface DrawnChart {
  id: string;
  /** data-points the renderer wrote. */
  points: number;
  /** Rendered size of the chart, CSS px. */
  width: number;
  height: number;
  /** Series paths with a visible length plus markers with a visible box. */
  drawnMarks: number;
  /** Names of the series with something visible drawn (a path with length or a marker with a box). */
  drawnSeries: string[];
  /** Pairs of text elements whose rendered boxes overlap: "a" / "b". */
  textOverlaps: string[];
  /** Text elements a p99 breach marker sits on. */
  markersOnText: string[];
}

export interface BrowserCheck {
  /** Console errors, page errors and failed requests. */
  errors: string[];
  /** Requests other than the report file itself. */
  otherRequests: string[];
  charts: DrawnChart[];
  title: string;
  /** The steps table's scroll width and the width it has on the page, CSS px (null: no table). */
  stepsTable: { scrollWidth: number; clientWidth: number } | null;
}

export interface CheckOptions {
  /** Viewport width, CSS px (default 1200). */
  width?: number;
  /** Full-page screenshot to write, if any. */
  screenshot?: string;
}

/** One Chromium for several checks (starting it is most of a check's time on a busy 2-core machine); each check gets its own page. */
export interface ReportBrowser {
  check(file: string, opts?: CheckOptions): Promise<BrowserCheck>;
  close(): Promise<void>;
}

export async function openReportBrowser(): Promise<ReportBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'critpoint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS.filter((a) => a !== '--headless'),
    headless: true,
    viewport: { width: 1200, height: 900 },
  });
  return {
    check: (file, opts = {}) => checkPage(context, file, opts),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function checkPage(context: BrowserContext, file: string, opts: CheckOptions): Promise<BrowserCheck> {
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const otherRequests: string[] = [];
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: opts.width ?? 1200, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('request', (r) => {
      if (r.url() !== url) otherRequests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (svgs) =>
      (svgs as unknown as PageElement[]).map((svg) => {
        const box = svg.getBoundingClientRect();
        const paths = Array.from(svg.querySelectorAll('path.series')).filter((p) => (p.getTotalLength?.() ?? 0) > 0 && p.getBoundingClientRect().width > 0);
        const dots = Array.from(svg.querySelectorAll('circle.dot')).filter((c) => c.getBoundingClientRect().width > 0);
        const drawnSeries = [...new Set([...paths, ...dots].map((el) => el.dataset.series ?? ''))];
        // Rendered boxes of every text of the chart; touching edges (rounding) do not count as overlap.
        const texts = Array.from(svg.querySelectorAll('text')).map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }));
        const hit = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
          Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
        const textOverlaps: string[] = [];
        texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => hit(a.r, b.r) && textOverlaps.push(`"${a.text}" / "${b.text}"`)));
        const breachDots = dots.filter((d) => (d.dataset.series ?? '').includes('breach')).map((d) => d.getBoundingClientRect());
        const markersOnText = texts.filter((t) => breachDots.some((d) => hit(d, t.r))).map((t) => t.text);
        return {
          id: svg.dataset.chart ?? '',
          points: Number(svg.dataset.points),
          width: box.width,
          height: box.height,
          drawnMarks: paths.length + dots.length,
          drawnSeries,
          textOverlaps,
          markersOnText,
        };
      }),
    );
    const stepsTable = await page.$$eval('table#steps', (tables) => {
      // The table sits in a horizontally scrolling box: what does not fit must be scrolled to.
      const box = (tables as unknown as { parentElement: PageElement }[])[0]?.parentElement;
      return box ? { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth } : null;
    });
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
    return { errors, otherRequests, charts, title: await page.title(), stepsTable };
  } finally {
    await page.close();
  }
}

/** Problems a person would notice; empty when the page is fine. */
export function browserProblems(c: BrowserCheck): string[] {
  const out = [...c.errors, ...c.otherRequests.map((u) => `external request: ${u}`)];
  if (c.charts.length === 0) out.push('no chart on the page');
  for (const ch of c.charts) {
    if (ch.points === 0 || ch.drawnMarks === 0) out.push(`chart ${ch.id} is empty (${ch.points} points, ${ch.drawnMarks} drawn marks)`);
    if (ch.width < 100 || ch.height < 50) out.push(`chart ${ch.id} is not visible (${ch.width}x${ch.height} px)`);
    for (const o of ch.textOverlaps) out.push(`chart ${ch.id}: text overlaps ${o}`);
    for (const t of ch.markersOnText) out.push(`chart ${ch.id}: a breach marker sits on "${t}"`);
  }
  if (c.stepsTable && c.stepsTable.scrollWidth > c.stepsTable.clientWidth)
    out.push(`the steps table is clipped (${c.stepsTable.scrollWidth} px wide in ${c.stepsTable.clientWidth} px)`);
  return out;
}
