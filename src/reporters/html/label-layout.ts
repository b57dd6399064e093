// Where the charts' text labels go, so no two ever overlap whatever the step
// count: the SVG is static (no script measures text in the page), so widths
// are estimated from DejaVu Sans, the widest of the common sans fonts a
// browser falls back to; a narrower font only leaves more room. Pure.

/** Advance widths in em (DejaVu Sans), grouped; anything not listed counts as 1 em. */
const WIDTHS: [string, number][] = [
  ["iljIJ'", 0.3],
  [' ,.:;/\\|!·', 0.41],
  ['-frt()[]', 0.42],
  ['"*_`?', 0.54],
  ['sczk', 0.58],
  ['vxyaeoL', 0.62],
  ['0123456789$bdghnpqu{}µFPEYT', 0.64],
  ['SKVAXZBRC', 0.7],
  ['UHNDGOQ&', 0.79],
  ['#+<=>^~±−×w', 0.84],
  ['M', 0.87],
  ['%mW@', 1],
];
const EM = new Map<string, number>(WIDTHS.flatMap(([chars, w]) => [...chars].map((c): [string, number] => [c, w])));

/** Estimated rendered width of text at a font size, px (never less than the widest common sans). */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const c of text) em += EM.get(c) ?? 1;
  return em * fontPx;
}

/** Axis-aligned box, top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function overlaps(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

/** The box of a one-line text drawn at (x, baseline y) with an SVG text-anchor. */
export function textBox(text: string, x: number, baseline: number, anchor: 'start' | 'middle' | 'end', fontPx: number): Box {
  const w = textWidth(text, fontPx);
  const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  // Ascent ~0.93 em and descent ~0.24 em (DejaVu Sans): the box a browser reports for the text.
  return { x: left, y: baseline - 0.93 * fontPx, w, h: 1.17 * fontPx };
}

export interface VLabel {
  /** x of the vertical line the label names. */
  x: number;
  text: string;
  /** Preferred side: start = right of the line, end = left of it. */
  anchor: 'start' | 'end';
  /** Higher is placed first (the critical point before step boundaries). */
  priority: number;
}

export interface PlacedLabel {
  text: string;
  /** x and baseline y of the text, and its anchor. */
  x: number;
  y: number;
  anchor: 'start' | 'end';
  box: Box;
}

export interface VLabelArea {
  /** Baselines of the rows above the plot, nearest the plot first. */
  rows: number[];
  /** Horizontal room: labels stay inside [minX, maxX]. */
  minX: number;
  maxX: number;
  fontPx: number;
  /** Gap between the line and its label, px. */
  offset: number;
  /** Smallest gap between two labels, px. */
  gap: number;
}

/**
 * Labels of vertical rules (step boundaries, critical point) in rows above the
 * plot: each goes on its preferred side of its line, else the other side, in
 * the nearest row where it touches no label placed before it; one with no
 * room anywhere is left out (its line keeps the text as a tooltip), and none
 * touches an obstacle (the axes' tick labels). Labels are
 * placed by priority, then left to right, so thinning keeps the important ones
 * and an even spread of the rest.
 */
export function placeVerticalLabels(labels: VLabel[], area: VLabelArea, obstacles: Box[] = []): (PlacedLabel | null)[] {
  const order = labels
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.text !== '')
    .sort((a, b) => b.l.priority - a.l.priority || a.l.x - b.l.x);
  const placed: Box[] = [...obstacles];
  const out: (PlacedLabel | null)[] = labels.map(() => null);
  for (const { l, i } of order) {
    const sides: ('start' | 'end')[] = l.anchor === 'start' ? ['start', 'end'] : ['end', 'start'];
    search: for (const y of area.rows) {
      for (const anchor of sides) {
        const x = l.x + (anchor === 'start' ? area.offset : -area.offset);
        const box = textBox(l.text, x, y, anchor, area.fontPx);
        if (box.x < area.minX || box.x + box.w > area.maxX) continue;
        if (placed.some((p) => overlaps(p, box, area.gap))) continue;
        placed.push(box);
        out[i] = { text: l.text, x, y, anchor, box };
        break search;
      }
    }
  }
  return out;
}

export interface HLabelArea {
  /** Plot area: labels stay inside it. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  fontPx: number;
  gap: number;
}

/**
 * A label for a horizontal rule at height y: just above the line (else just
 * below), at the right end, the left end or between; the first spot that
 * touches no text already placed (hard) and no marker (soft) wins; when every
 * spot touches a marker, the one touching fewest. Null when every spot would
 * touch text or leave the plot.
 */
export function placeRuleLabel(text: string, y: number, area: HLabelArea, texts: Box[], markers: Box[]): PlacedLabel | null {
  const w = textWidth(text, area.fontPx);
  const inset = 4;
  const xs: [number, 'start' | 'end'][] = [
    [area.right - inset, 'end'],
    [area.left + inset, 'start'],
  ];
  // Spots in between, from right to left, for a plot crowded at both ends.
  const span = area.right - area.left - 2 * inset - w;
  for (let k = 1; k < 8 && span > 0; k++) xs.push([area.right - inset - (span * k) / 8, 'end']);
  let best: { p: PlacedLabel; hits: number } | null = null;
  for (const baseline of [y - 4, y + 4 + 0.93 * area.fontPx]) {
    for (const [x, anchor] of xs) {
      const box = textBox(text, x, baseline, anchor, area.fontPx);
      if (box.y < area.top || box.y + box.h > area.bottom) continue;
      if (texts.some((t) => overlaps(t, box, area.gap))) continue;
      const hits = markers.filter((m) => overlaps(m, box)).length;
      if (!best || hits < best.hits) best = { p: { text, x, y: baseline, anchor, box }, hits };
      if (hits === 0) return best.p;
    }
  }
  return best?.p ?? null;
}
