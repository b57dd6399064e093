// A cheap look at how deeply a YAML/JSON text nests, before any parser
// recurses into it: the yaml library overflows its stack on a few thousand
// levels (and takes seconds getting there). Linear, no allocation per level.
// It estimates, so callers refuse only far beyond the exact post-parse limit.

/**
 * Deepest nesting seen: block levels (indentation steps and "- " markers) plus
 * flow levels ([ and { outside quotes and comments) at the same point.
 */
export function estimateNesting(text: string): number {
  const indents: number[] = [];
  let flow = 0;
  let max = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line.
    let indent = 0;
    while (i < n && text[i] === ' ') {
      indent++;
      i++;
    }
    let block = indents.length;
    if (flow === 0 && i < n && text[i] !== '\n' && text[i] !== '#' && text[i] !== '\r') {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      block = indents.length;
      // "- - - x": each marker opens a sequence level.
      while (i + 1 < n && text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
        block++;
        i++;
        while (i < n && text[i] === ' ') i++;
      }
    }
    max = Math.max(max, block + flow);
    // Rest of the line.
    let prev = ' ';
    while (i < n && text[i] !== '\n') {
      const c = text[i] as string;
      if (c === '#' && (prev === ' ' || prev === '\t')) {
        while (i < n && text[i] !== '\n') i++;
        break;
      }
      if (c === '"' || c === "'") {
        i = skipQuoted(text, i, c);
        prev = c;
        continue;
      }
      if (c === '[' || c === '{') {
        flow++;
        if (block + flow > max) max = block + flow;
      } else if ((c === ']' || c === '}') && flow > 0) {
        flow--;
      }
      prev = c;
      i++;
    }
    i++;
  }
  return max;
}

/** Index just past a quoted scalar starting at i ("..." with \ escapes, '...' with '' escapes). */
function skipQuoted(text: string, i: number, q: string): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text[j];
    if (q === '"' && c === '\\') {
      j += 2;
      continue;
    }
    if (c === q) {
      if (q === "'" && text[j + 1] === "'") {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}
