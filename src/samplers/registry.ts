// One map kind -> factory. Adding an endpoint kind is one folder plus one line here.
import { createExpvarSampler } from './expvar/sampler.js';
import { createJsonSampler } from './json/sampler.js';
import { createPprofGoroutineSampler } from './pprof-goroutine/sampler.js';
import { createPrometheusSampler } from './prometheus/sampler.js';
import type { RuntimeSamplerInstance, RuntimeSignalConfig, SamplerFactory, SamplerKind, SamplerOptions } from './types.js';

export const samplerFactories: Readonly<Record<SamplerKind, SamplerFactory>> = {
  'pprof-goroutine': createPprofGoroutineSampler,
  expvar: createExpvarSampler,
  prometheus: createPrometheusSampler,
  json: createJsonSampler,
};

/**
 * A sampler for one configured signal. Throws (a configuration error) when a
 * path endpoint cannot be resolved against targetUrl (e.g. a non-http target).
 */
export function createSampler(signalConfig: RuntimeSignalConfig, targetUrl: string, options?: SamplerOptions): RuntimeSamplerInstance {
  return samplerFactories[signalConfig.source.kind](signalConfig, targetUrl, options);
}
