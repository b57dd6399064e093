// Sampler: one numeric field of the expvar page.
import { resolveEndpoint } from '../endpoint.js';
import { httpGet } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { parseExpvar } from './parse.js';

export const createExpvarSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  const source = config.source;
  if (source.kind !== 'expvar') throw new Error(`signal ${config.name}: not an expvar source`);
  const url = resolveEndpoint(source.endpoint, targetUrl);
  return {
    name: config.name,
    kind: 'expvar',
    url: url.href,
    async sample(signal) {
      const body = await httpGet(url, signal, { ...options, headers: { accept: 'application/json' } });
      return parseExpvar(body.toString('utf8'), source.field);
    },
  };
};
