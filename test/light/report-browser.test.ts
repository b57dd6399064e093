// report.html in a real browser (Debian's headless Chromium): no console
// error, no request beyond the file, every chart drawn, no two texts of a
// chart overlapping, no breach marker on a label, the steps table whole at
// 1,400 px; screenshots are kept in results/test-screenshots/. The checker
// itself is shown to catch a script error, a broken SVG, an empty chart,
// overlapping labels and a clipped table.
// Chromium comes from `bash scripts/setup-browser.sh` (apt-get, as root).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReportHtml } from '../../src/reporters/html/html-report.js';
import { browserProblems, chromiumAvailable, CHROMIUM, openReportBrowser, type ReportBrowser } from '../helpers/browser-check.js';
import { demoRun, manyStepRun, withRuntimeSignal } from '../helpers/report-fixtures.js';
import { JUDGED_P99, SEND_LAG } from '../../src/reporters/html/report-charts.js';
import { REPO_ROOT } from '../helpers/cli-child.js';

const SHOTS = join(REPO_ROOT, 'results', 'test-screenshots');
let dir: string;
let html: string;
let browser: ReportBrowser;

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\` (installs Debian's chromium)`);
  dir = await mkdtemp(join(tmpdir(), 'critpoint-browser-'));
  await mkdir(SHOTS, { recursive: true });
  // A real run's result with a runtime signal added, so every kind of chart is on the page.
  html = renderReportHtml(withRuntimeSignal(await demoRun()));
  browser = await openReportBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a page; `shot` keeps its screenshot in results/test-screenshots/ under that name. */
async function open(name: string, page: string, opts: { width?: number; shot?: string } = {}) {
  const file = join(dir, `${name}.html`);
  await writeFile(file, page);
  return browser.check(file, { width: opts.width, screenshot: opts.shot ? join(SHOTS, opts.shot) : undefined });
}

describe('report.html in headless Chromium', () => {
  it('opens offline with no error, and every chart is drawn', async () => {
    const c = await open('report', html, { shot: 'report-browser.png' });
    expect(browserProblems(c)).toEqual([]);
    expect(c.charts.map((ch) => ch.id)).toEqual(['latency-vs-load', 'latency-over-time', 'rate-over-time', 'errors-over-time', 'runtime-goroutines']);
    expect(c.title).toBe('critpoint demo: 969 req/s');
    expect((await stat(join(SHOTS, 'report-browser.png'))).size).toBeGreaterThan(20_000);
  });

  it('a run of 15+ short steps at 1,400 px: no overlapping text, the whole steps table, and the judged p99 and send lag drawn', async () => {
    const r = await manyStepRun();
    expect(r.steps.length).toBeGreaterThanOrEqual(15);
    const c = await open('many-steps', renderReportHtml(r), { width: 1400, shot: 'report-many-steps.png' });
    expect(browserProblems(c)).toEqual([]);
    expect(c.stepsTable).not.toBeNull();
    for (const id of ['latency-vs-load', 'latency-over-time']) {
      const chart = c.charts.find((ch) => ch.id === id)!;
      expect(chart.drawnSeries, id).toEqual(
        expect.arrayContaining([expect.stringContaining(JUDGED_P99), expect.stringContaining(SEND_LAG), 'p99 breach (confirming windows)']),
      );
    }
    expect((await stat(join(SHOTS, 'report-many-steps.png'))).size).toBeGreaterThan(20_000);
  });

  it('the check fails on overlapping labels, a marker on a label and a clipped steps table', async () => {
    const page = renderReportHtml(await manyStepRun())
      // Every step label of the time chart moved onto the first one's spot.
      .replace(/(<svg class="chart" id="chart-latency-over-time".*?<\/svg>)/s, (svg) =>
        svg.replace(/(<text class="vrule-label") x="[^"]*" y="[^"]*"/g, '$1 x="100" y="20"'),
      )
      // The threshold label moved onto the first breach marker.
      .replace(/(<svg class="chart" id="chart-latency-vs-load".*?<\/svg>)/s, (svg) => {
        const dot = /<circle class="dot" data-series="p99 breach[^"]*" cx="([^"]*)" cy="([^"]*)"/.exec(svg)!;
        return svg.replace(
          /(<text class="rule-label") x="[^"]*" y="[^"]*" text-anchor="[^"]*"(?=[^>]*>threshold)/,
          `$1 x="${dot[1]}" y="${dot[2]}" text-anchor="middle"`,
        );
      })
      .replace('<table id="steps">', '<table id="steps" style="min-width:2000px">');
    const problems = browserProblems(await open('broken-layout', page, { width: 1400 }));
    expect(problems.join('\n')).toMatch(/chart latency-over-time: text overlaps "#\d+ /);
    expect(problems.join('\n')).toMatch(/chart latency-vs-load: a breach marker sits on "threshold/);
    expect(problems.join('\n')).toMatch(/the steps table is clipped \(\d+ px wide in \d+ px\)/);
  });

  it('the check fails on a script error (the page forbids scripts)', async () => {
    const c = await open('script', html.replace('</body>', '<script>document.title = "ran"</script></body>'));
    expect(browserProblems(c).join('\n')).toMatch(/Content Security Policy/);
    expect(c.title).not.toBe('ran');
  });

  it('the check fails on a broken chart', async () => {
    const c = await open('nan', html.replace(/(<path class="series"[^>]*d=")M/, '$1MNaN,'));
    expect(browserProblems(c).join('\n')).toMatch(/attribute d/);
  });

  it('the check fails on an empty chart', async () => {
    const emptied = html.replace(
      /(<svg class="chart" id="chart-rate-over-time"[^>]*data-points=")\d+(".*?<\/svg>)/s,
      (_m, a: string, b: string) => `${a}0${b.replace(/<path class="series"[^>]*\/>|<circle class="dot".*?<\/circle>/gs, '')}`,
    );
    const c = await open('empty', emptied);
    expect(browserProblems(c)).toEqual(['chart rate-over-time is empty (0 points, 0 drawn marks)']);
  });
});
