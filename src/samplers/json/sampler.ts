// Sampler: one numeric field of any JSON endpoint.
import { resolveEndpoint } from '../endpoint.js';
import { httpGet } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { parseJsonField } from './parse.js';

export const createJsonSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  const source = config.source;
  if (source.kind !== 'json') throw new Error(`signal ${config.name}: not a json source`);
  const url = resolveEndpoint(source.endpoint, targetUrl);
  return {
    name: config.name,
    kind: 'json',
    url: url.href,
    async sample(signal) {
      const body = await httpGet(url, signal, { ...options, headers: { accept: 'application/json' } });
      return parseJsonField(body.toString('utf8'), source.field);
    },
  };
};
