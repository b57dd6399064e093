// Sampler: one numeric field of any JSON endpoint.
import { resolveEndpoint } from '../endpoint.js';
import { httpGetText } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { parseJsonField } from './parse.js';
import { checkJsonHead } from '../dot-path.js';

export const createJsonSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  const source = config.source;
  if (source.kind !== 'json') throw new Error(`signal ${config.name}: not a json source`);
  const url = resolveEndpoint(source.endpoint, targetUrl);
  return {
    name: config.name,
    kind: 'json',
    url: url.href,
    async sample(signal) {
      const text = await httpGetText(url, signal, { ...options, headers: { accept: 'application/json' }, checkHead: checkJsonHead });
      return parseJsonField(text, source.field);
    },
  };
};
