// report.html in a real browser (Debian's headless Chromium): no console
// error, no request beyond the file, every chart drawn; a screenshot is kept
// in results/test-screenshots/. The checker itself is shown to catch a
// script error, a broken SVG and an empty chart.
// Chromium comes from `bash scripts/setup-browser.sh` (apt-get, as root).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, mkdtemp, stat, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReportHtml } from '../../src/reporters/html/html-report.js';
import { browserProblems, checkReportInBrowser, chromiumAvailable, CHROMIUM } from '../helpers/browser-check.js';
import { demoRun, withRuntimeSignal } from '../helpers/report-fixtures.js';
import { REPO_ROOT } from '../helpers/cli-child.js';

const SHOTS = join(REPO_ROOT, 'results', 'test-screenshots');
let dir: string;
let html: string;

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\` (installs Debian's chromium)`);
  dir = await mkdtemp(join(tmpdir(), 'critpoint-browser-'));
  await mkdir(SHOTS, { recursive: true });
  // A real run's result with a runtime signal added, so every kind of chart is on the page.
  html = renderReportHtml(withRuntimeSignal(await demoRun()));
});

async function open(name: string, page: string) {
  const file = join(dir, `${name}.html`);
  await writeFile(file, page);
  return checkReportInBrowser(file, join(dir, `${name}.png`));
}

describe('report.html in headless Chromium', () => {
  it('opens offline with no error, and every chart is drawn', async () => {
    const c = await open('report', html);
    expect(browserProblems(c)).toEqual([]);
    expect(c.charts.map((ch) => ch.id)).toEqual(['latency-vs-load', 'latency-over-time', 'rate-over-time', 'errors-over-time', 'runtime-goroutines']);
    expect(c.title).toBe('critpoint demo: 969 req/s');
    const shot = join(SHOTS, 'report-browser.png');
    await copyFile(join(dir, 'report.png'), shot);
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
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
    const emptied = html.replace(/(<svg class="chart" id="chart-rate-over-time"[^>]*data-points=")\d+(".*?<\/svg>)/s, (_m, a: string, b: string) => `${a}0${b.replace(/<path class="series"[^>]*\/>|<circle class="dot".*?<\/circle>/gs, '')}`);
    const c = await open('empty', emptied);
    expect(browserProblems(c)).toEqual(['chart rate-over-time is empty (0 points, 0 drawn marks)']);
  });
});
