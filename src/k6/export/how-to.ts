// The short how-to written beside an exported k6-operator manifest.
import { basename } from 'node:path';
import type { K6Output } from './testrun.js';

export interface HowToInput {
  name: string;
  dir: string;
  files: string[];
  envNames: string[];
  outputs: K6Output[];
  scenarioFile: string;
  parallelism: number;
}

export function howTo(h: HowToInput): string {
  const fromFiles = ['script.js', ...h.files.filter((f) => f !== 'script.js' && f !== 'testrun.yaml' && f !== 'HOWTO.md')]
    .map((f) => `--from-file=${f}`)
    .join(' ');
  const secret = h.envNames.length ? `kubectl create secret generic ${h.name}-secrets ${h.envNames.map((n) => `--from-literal=${n}="$${n}"`).join(' ')}\n` : '';
  const lines = [
    `# Distributed run of ${h.name} with k6-operator`,
    '',
    `${h.parallelism} runner pods share the load: k6 gives each an execution segment, so rates and VUs are split`,
    'between them and the total follows the critpoint plan in script.js.',
    '',
    '```sh',
    `cd ${h.dir}`,
    `kubectl create configmap ${h.name}-script ${fromFiles}`,
    `${secret}# edit CRITPOINT_TARGET in testrun.yaml to the service's in-cluster address, then:`,
    'kubectl apply -f testrun.yaml',
    `kubectl get testrun ${h.name} -w        # until stage is "finished"`,
    '```',
    '',
  ];
  if (h.outputs.includes('json')) {
    lines.push(
      `Each pod writes \`/results/<pod>.json.gz\` on the volume \`${h.name}-results\` (ReadWriteMany). Copy them out`,
      '(for example from a pod that mounts the same claim) and let critpoint find the critical point:',
      '',
      '```sh',
      `kubectl run ${h.name}-fetch --image=busybox --restart=Never --overrides='{"spec":{"volumes":[{"name":"r","persistentVolumeClaim":{"claimName":"${h.name}-results"}}],"containers":[{"name":"f","image":"busybox","command":["sleep","600"],"volumeMounts":[{"name":"r","mountPath":"/results"}]}]}}'`,
      `kubectl cp ${h.name}-fetch:/results ./results-k6`,
      `critpoint analyze ./results-k6/*.json.gz --scenario ${basename(h.scenarioFile)}`,
      '```',
      '',
      'analyze merges the pods by time window (HDR histograms added, never percentiles averaged) and runs the',
      "same detector as `critpoint run`. The plan has no refinement: the resolution is the ramp's growth factor.",
      '',
    );
  }
  if (h.outputs.includes('prometheus')) {
    lines.push(
      'Prometheus remote write (K6_PROMETHEUS_RW_SERVER_URL in testrun.yaml) sends trends as native histograms, which',
      'merge across pods; it is for dashboards: analyze reads the JSON files.',
      '',
    );
  }
  lines.push(
    `Clean up: kubectl delete -f testrun.yaml; kubectl delete configmap ${h.name}-script${h.envNames.length ? `; kubectl delete secret ${h.name}-secrets` : ''}`,
    '',
  );
  return lines.join('\n');
}
