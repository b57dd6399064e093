// Text and attribute escaping for the HTML report: everything from a run
// (names, URLs, error kinds, scenario text) is data, never markup.
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => MAP[c] as string);
}
