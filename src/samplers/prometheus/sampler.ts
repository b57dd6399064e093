// Sampler: one metric of a Prometheus /metrics page. Gauges are reported as
// values; counters (and histogram/summary _sum/_count/_bucket) as per-second
// rates between consecutive samples, the first sample being a gap
// ("counter: first sample").
import { resolveEndpoint } from '../endpoint.js';
import { httpGetText } from '../http-get.js';
import type { SamplerFactory } from '../types.js';
import { counterRate, type CounterReading } from './counter-rate.js';
import { checkExpositionHead, parsePrometheusText } from './parse.js';
import { selectSeries } from './select.js';

/** Asks for the text format, never protobuf. */
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export const createPrometheusSampler: SamplerFactory = (config, targetUrl, options = {}) => {
  const source = config.source;
  if (source.kind !== 'prometheus') throw new Error(`signal ${config.name}: not a prometheus source`);
  const url = resolveEndpoint(source.endpoint, targetUrl);
  const clock = options.clock ?? (() => performance.now());
  let previous: CounterReading | undefined;
  return {
    name: config.name,
    kind: 'prometheus',
    url: url.href,
    async sample(signal) {
      const text = await httpGetText(url, signal, { ...options, headers: { accept: ACCEPT }, checkHead: checkExpositionHead });
      const t = clock();
      const selected = selectSeries(parsePrometheusText(text), source.metric, source.labels);
      if (selected.kind === 'gauge') return selected.value;
      const reading = { value: selected.value, t };
      // Readings may finish out of order (sampleOnce next to a pending tick): keep the newest.
      const prev = previous;
      if (prev === undefined || t > prev.t) previous = reading;
      return counterRate(prev, reading);
    },
  };
};
