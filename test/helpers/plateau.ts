import autocannon from 'autocannon';

/** Closed-loop saturation: the throughput plateau of a target, measured with bare autocannon (bounded). */
export async function measurePlateau(url: string, connections = 64, seconds = 4): Promise<number> {
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(url)) throw new Error(`refusing to load a non-loopback target: ${url}`);
  const result = await autocannon({ url, connections, duration: seconds, timeout: 5 });
  return result.requests.total / seconds;
}
