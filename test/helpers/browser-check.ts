// Opens a report in Debian's headless Chromium (playwright-core, no browser
// download) and says what a person would see: console errors, any request
// beyond the file itself, and for every chart whether something was drawn.
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

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
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The few DOM members the page check uses (the project compiles without the DOM lib). */
interface PageElement {
  getBoundingClientRect(): { width: number; height: number };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getTotalLength?(): number;
  dataset: Record<string, string | undefined>;
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
}

export interface BrowserCheck {
  /** Console errors, page errors and failed requests. */
  errors: string[];
  /** Requests other than the report file itself. */
  otherRequests: string[];
  charts: DrawnChart[];
  title: string;
}

export async function checkReportInBrowser(file: string, screenshot: string): Promise<BrowserCheck> {
  const profile = await mkdtemp(join(tmpdir(), 'critpoint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS.filter((a) => a !== '--headless'), headless: true, viewport: { width: 1200, height: 900 } });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const otherRequests: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
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
        return { id: svg.dataset.chart ?? '', points: Number(svg.dataset.points), width: box.width, height: box.height, drawnMarks: paths.length + dots.length };
      }),
    );
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, otherRequests, charts, title: await page.title() };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Problems a person would notice; empty when the page is fine. */
export function browserProblems(c: BrowserCheck): string[] {
  const out = [...c.errors, ...c.otherRequests.map((u) => `external request: ${u}`)];
  if (c.charts.length === 0) out.push('no chart on the page');
  for (const ch of c.charts) {
    if (ch.points === 0 || ch.drawnMarks === 0) out.push(`chart ${ch.id} is empty (${ch.points} points, ${ch.drawnMarks} drawn marks)`);
    if (ch.width < 100 || ch.height < 50) out.push(`chart ${ch.id} is not visible (${ch.width}x${ch.height} px)`);
  }
  return out;
}
