// The bluegreen-switch bundle with the analysis input, run as the runner runs it (node, INPUT_*,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY) against the bed's Kubernetes and moto's CloudWatch: a
// clean switch whose summary has a row per evaluation; an alarm that fires in the post window —
// the bundle puts the selector back, exits 1 with the reason, and its summary still shows every
// evaluation; an analysis input that does not parse refused before any request.
import { describe, expect, it } from 'vitest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { useBed } from '../bed/vitest.ts';
import { setUpColors, type Colors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';
import { jobWorkspace, noAmbientAws, startBundle } from './bundle-run.ts';
import { createAlarm, setAlarm } from './switch-eks-analysis-bed.ts';

const bed = useBed(['moto', 'k8s']);
const { b, stable } = useSwitchEks(bed);

let alarms = 0;
const cloudwatch = (): CloudWatchClient => new CloudWatchClient(bed.moto.clientConfig());

function start(c: Colors, analysis: string) {
  const dir = jobWorkspace(undefined, 'switch-analysis-bundle-');
  return startBundle(
    'bluegreen-switch',
    { platform: 'eks', kubeconfig: bed.k8s.kubeconfig, namespace: c.ns, service: c.svc, analysis },
    { GITHUB_SHA: 'c0ffee0000000000000000000000000000000003', GITHUB_RUN_ID: '6000001', ...noAmbientAws(dir), ...bed.moto.env() },
    { workspace: dir },
  );
}

const alarmCheck = (name: string, at: string, count: number) =>
  `checks:\n  - name: alarms\n    provider: cloudwatch-alarm\n    alarms: [${name}]\n    at: [${at}]\n    interval: 200ms\n    count: ${count}\n`;

describe('the bluegreen-switch bundle with analysis', () => {
  it('a clean switch passes its checks; the summary has one row per evaluation', async () => {
    const c = await setUpColors(b);
    const name = await createAlarm(cloudwatch(), `bundle-5xx-${process.pid}-${++alarms}`);
    const r = await start(c, alarmCheck(name, 'pre, post', 2)).done;
    expect(r.status, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ from: 'blue', to: 'green', switched: 'true' });
    expect(r.log).toMatch(/::group::Analysis of green after the switch/);
    expect(r.log).toMatch(/post alarms: 0 of 1 in ALARM: result == 0 is true → passed \(2 of 2\)/);
    expect(r.summary).toContain('### Analysis');
    expect(r.summary.match(/^\| (pre|post) \| alarms \| 0 of 1 in ALARM \| success: result == 0 \| passed \|/gm)).toHaveLength(4);
    expect(r.summary).toMatch(/\| analysis \| alarms \(cloudwatch-alarm, pre\/post\) \| input 'analysis' \|/);
  });

  it('an alarm that fires in the post window: the selector goes back, the run fails saying why, the summary keeps the evaluations', async () => {
    const c = await setUpColors(b);
    const name = await createAlarm(cloudwatch(), `bundle-5xx-${process.pid}-${++alarms}`);
    const run = start(c, alarmCheck(name, 'post', 1000));
    while ((await stable(c)).spec?.selector?.version !== 'green') await new Promise((r) => setTimeout(r, 50));
    await setAlarm(cloudwatch(), name, 'ALARM');
    const r = await run.done;
    expect(r.status, r.log).toBe(1);
    expect(r.log).toMatch(
      new RegExp(
        `::error[^:]*::bluegreen-switch: the analysis of green after the switch did not pass: check alarms failed: 1 failed measurement \\(limit 0\\); last: 1 of 1 in ALARM \\(${name}\\)`,
      ),
    );
    expect(r.log).toMatch(/rolled back: Service shop selects blue again/);
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
    expect(r.summary).toContain('failed');
    expect(r.summary).toMatch(/^\| post \| alarms \| 1 of 1 in ALARM \([^)]+\) \| success: result == 0 \| failed \|/m);
  });

  it('an analysis input that does not parse is refused before any request, naming the input and the key in it', async () => {
    const c = await setUpColors(b);
    const rv = (await stable(c)).metadata?.resourceVersion;
    const r = await start(
      c,
      'checks:\n  - { name: rate, provider: prometheus, address: "http://127.0.0.1:9", query: up, success: "result >" }\n',
    ).done;
    expect(r.status).toBe(1);
    expect(r.log).toMatch(/input 'analysis': checks\.0\.success: "result >" cannot be parsed: Expected expression after > at character 8/);
    expect(r.log).not.toMatch(/Connecting to/);
    expect((await stable(c)).metadata?.resourceVersion).toBe(rv);
  });
});
