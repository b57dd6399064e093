// Pure: the refine phase. Bisect between the highest passing load and the
// lowest breaching one until the gap is within the resolution.

/** (firstBreach - lastPass) / lastPass */
export function gap(lastPass: number, firstBreach: number): number {
  return (firstBreach - lastPass) / lastPass;
}

/** The next load to check, or null when the gap is already within the resolution. */
export function nextMidpoint(lastPass: number, firstBreach: number, resolution: number): number | null {
  if (!(firstBreach > lastPass) || lastPass <= 0) return null;
  if (gap(lastPass, firstBreach) <= resolution) return null;
  return (lastPass + firstBreach) / 2;
}
