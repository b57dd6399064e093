// Reading report.html in tests: headline fields, charts and every reference
// a page could load.
const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** Text of the element marked data-field="name", tags stripped, entities decoded. */
export function field(html: string, name: string): string | null {
  const m = new RegExp(`data-field="${name}">(.*?)</(?:span|dd|p)>`, 's').exec(html);
  return m ? unescape(m[1]!.replace(/<[^>]+>/g, '')) : null;
}

/** Every chart of the page with its plotted point count. */
export function chartsOf(html: string): { id: string; points: number }[] {
  return [...html.matchAll(/<svg class="chart" id="chart-[^"]+" data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => ({ id: m[1]!, points: Number(m[2]) }));
}

/** Every way a page could load something: src-like attributes, href with a scheme, CSS url()/@import. */
export function externalReferences(html: string): string[] {
  return [
    ...html.matchAll(/\s(?:src|srcset|poster|data|action|formaction)\s*=\s*["']?([^"'\s>]+)/gi),
    ...html.matchAll(/\shref\s*=\s*["']?((?:[a-z][a-z0-9+.-]*:|\/\/)[^"'\s>]*)/gi),
    ...html.matchAll(/url\(\s*["']?((?!#)[^"')]+)/gi),
    ...html.matchAll(/@import\s+([^;]+)/gi),
  ].map((m) => m[1]!);
}
