// The samplers' public surface, for the runner and the scenario schema.
export { runtimeSchema, signalSchema, sourceSchema, detectInputSchema, resolveDetect, type RuntimeConfigInput } from './schema.js';
export type {
  CaptureKind,
  RuntimeConfig,
  RuntimeSamplerInstance,
  RuntimeSignalConfig,
  SamplerFactory,
  SamplerKind,
  SamplerOptions,
  SignalDetect,
  SignalSource,
} from './types.js';
export { CounterPrimingError } from './types.js';
export { createSampler, samplerFactories } from './registry.js';
export { SamplingLoop, PENDING_GAP, STOPPED_GAP, type SamplingLoopOptions, type SampleListener } from './sampling-loop.js';
export { captureEvidence, CAPTURE_SOURCES, type CaptureResult } from './capture.js';
export { resolveEndpoint } from './endpoint.js';
