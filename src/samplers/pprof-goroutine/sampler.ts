// Sampler: the goroutine count from the text goroutine profile.
import { resolveEndpoint } from '../endpoint.js';
import { httpGetText } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { parseGoroutineTotal } from './parse.js';

export const createPprofGoroutineSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  if (config.source.kind !== 'pprof-goroutine') throw new Error(`signal ${config.name}: not a pprof source`);
  const url = resolveEndpoint(config.source.endpoint, targetUrl);
  if (!url.searchParams.has('debug')) url.searchParams.set('debug', '1');
  return {
    name: config.name,
    kind: 'pprof-goroutine',
    url: url.href,
    async sample(signal) {
      // Only the first line is needed: the rest of a large profile is never read.
      return parseGoroutineTotal(await httpGetText(url, signal, { ...options, firstLine: true }));
    },
  };
};
