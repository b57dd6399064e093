// Sampler: one numeric field of the expvar page.
import { resolveEndpoint } from '../endpoint.js';
import { httpGetText } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { parseExpvar } from './parse.js';
import { checkJsonHead } from '../dot-path.js';

export const createExpvarSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  const source = config.source;
  if (source.kind !== 'expvar') throw new Error(`signal ${config.name}: not an expvar source`);
  const url = resolveEndpoint(source.endpoint, targetUrl);
  return {
    name: config.name,
    kind: 'expvar',
    url: url.href,
    async sample(signal) {
      const text = await httpGetText(url, signal, { ...options, headers: { accept: 'application/json' }, checkHead: checkJsonHead });
      return parseExpvar(text, source.field);
    },
  };
};
