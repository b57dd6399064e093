// The k6-operator TestRun manifest for a distributed run of an exported
// script: `parallelism` runner pods, each taking an execution segment (k6
// scales rates and VUs per segment), the script from a ConfigMap, secrets from
// a Secret, and outputs as per-pod JSON files on a shared volume (for
// `critpoint analyze`) and/or Prometheus remote write (for dashboards).
import { stringify } from 'yaml';

export type K6Output = 'json' | 'prometheus';

export interface TestRunOptions {
  /** Kubernetes name prefix (DNS-1123). */
  name: string;
  parallelism: number;
  outputs: K6Output[];
  /** Environment variables the script reads (taken from the Secret <name>-secrets). */
  envNames: string[];
  /** Default value of CRITPOINT_TARGET inside the cluster. */
  target: string;
  prometheusUrl: string;
  /** Size of the results volume. */
  resultsSize: string;
}

/** A DNS-1123 name from a scenario name: lower case, [a-z0-9-], at most 40 characters. */
export function k8sName(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return n === '' ? 'critpoint' : n;
}

export const RESULTS_DIR = '/results';

export function testRunManifest(o: TestRunOptions): string {
  const args = ['--no-usage-report', '--tag', `critpoint_run=${o.name}`];
  const env: Record<string, unknown>[] = [
    { name: 'K6_NO_USAGE_REPORT', value: 'true' },
    { name: 'CRITPOINT_TARGET', value: o.target },
  ];
  for (const n of o.envNames) env.push({ name: n, valueFrom: { secretKeyRef: { name: `${o.name}-secrets`, key: n } } });
  const runner: Record<string, unknown> = { env };
  const docs: unknown[] = [];
  if (o.outputs.includes('json')) {
    // Kubernetes expands $(POD_NAME) in the container command: one file per runner pod.
    env.unshift({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    args.push('--out', `json=${RESULTS_DIR}/$(POD_NAME).json.gz`);
    runner.volumeMounts = [{ name: 'results', mountPath: RESULTS_DIR }];
    runner.volumes = [{ name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } }];
  }
  if (o.outputs.includes('prometheus')) {
    args.push('--out', 'experimental-prometheus-rw');
    env.push({ name: 'K6_PROMETHEUS_RW_SERVER_URL', value: o.prometheusUrl });
    // Native histograms merge across runner pods; k6's default per-pod p(99) series cannot be merged.
    env.push({ name: 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', value: 'true' });
  }
  docs.push({
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: o.name, labels: { 'app.kubernetes.io/managed-by': 'critpoint' } },
    spec: {
      parallelism: o.parallelism,
      script: { configMap: { name: `${o.name}-script`, file: 'script.js' } },
      arguments: args.join(' '),
      runner,
    },
  });
  if (o.outputs.includes('json')) {
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${o.name}-results` },
      // Every runner pod writes here at once: the storage class must offer ReadWriteMany.
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: o.resultsSize } } },
    });
  }
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
