// The stable and preview Service names (issue #14): defaults, an eks.services entry, the
// stable-service / preview-service inputs (one service only), and names that collide with another
// object of the contract — refused before any request, naming the input or key. deploy-eks and
// bluegreen-switch read them through the one rule, so the two always agree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExpeditorError, ProblemsError } from '@expeditor/shared/errors';
import { parseConfig } from '@expeditor/shared/config';
import { resolveServiceNames } from '@expeditor/bluegreen/service-names';
import type { DeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import type { EksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { planEksSwitch } from '../../actions/bluegreen-switch/src/eks/plan.ts';
import { ActionInputs, inputEnv } from '@expeditor/shared/inputs';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { ecr } from './eks-fixtures.ts';
import { deployEksInputs, eksSwitchInputs } from './eks-inputs.ts';

const file = (entries: string) => ({ entries: parseEntries(entries), key: 'environments.prod.eks.services' });

/** eks.services as the file has it, through the schema. */
function parseEntries(entries: string) {
  return parseConfig(environmentFile(entries), 'expeditor.yml').environments.prod?.eks?.services ?? [];
}

function environmentFile(entries: string): string {
  return `app: myapp
image: { repository: ${ecr}/myapp }
environments:
  prod:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy" }
    eks: { cluster: prod, namespace: prod, services: ${entries} }
`;
}

describe('resolveServiceNames', () => {
  it('defaults: <service> and <service>-preview', () => {
    const { names, problems } = resolveServiceNames(['shop'], { inputs: {} });
    expect(problems).toEqual([]);
    expect(names.get('shop')).toEqual({ service: 'shop', stable: 'shop', preview: 'shop-preview' });
  });

  it('an eks.services entry names its Services; a plain entry keeps the defaults', () => {
    const { names, problems } = resolveServiceNames(['myapp', 'cart'], {
      file: file('[{ name: myapp, stable-service: myapp-service, preview-service: myapp-test }, cart]'),
      inputs: {},
    });
    expect(problems).toEqual([]);
    expect(names.get('myapp')).toEqual({ service: 'myapp', stable: 'myapp-service', preview: 'myapp-test' });
    expect(names.get('cart')).toEqual({ service: 'cart', stable: 'cart', preview: 'cart-preview' });
  });

  it('the inputs win over the entry, name by name', () => {
    const { names } = resolveServiceNames(['myapp'], {
      file: file('[{ name: myapp, stable-service: myapp-service, preview-service: myapp-test }]'),
      inputs: { preview: 'myapp-preview' },
    });
    expect(names.get('myapp')).toEqual({ service: 'myapp', stable: 'myapp-service', preview: 'myapp-preview' });
  });

  it('an input with several services is refused naming it', () => {
    const { problems } = resolveServiceNames(['myapp', 'cart'], { inputs: { stable: 'myapp-service' } });
    expect(problems.map((p) => [p.input, p.message])).toEqual([
      ['stable-service', "input 'stable-service': names the stable Service of one service, and this call has 2 (myapp, cart)"],
    ]);
  });

  it.each([
    [
      'its own color',
      '[{ name: myapp, stable-service: myapp-blue }]',
      "environments.prod.eks.services.0.stable-service: myapp-blue cannot be myapp's stable Service: it is the name of myapp's blue Deployment and Service",
    ],
    [
      'another service’s color',
      '[{ name: myapp, preview-service: cart-green }, cart]',
      "environments.prod.eks.services.0.preview-service: cart-green cannot be myapp's preview Service: it is the name of cart's green Deployment and Service",
    ],
    [
      'its own preview',
      '[{ name: myapp, stable-service: myapp-preview }]',
      "environments.prod.eks.services.0.stable-service: myapp-preview cannot be myapp's stable Service: it is also its preview Service",
    ],
    [
      'another service’s stable Service',
      '[cart, { name: myapp, stable-service: cart }]',
      "environments.prod.eks.services.1.stable-service: cart cannot be myapp's stable Service: it is also cart's stable Service",
    ],
    [
      'another service’s configured preview',
      '[{ name: cart, preview-service: test }, { name: myapp, preview-service: test }]',
      "environments.prod.eks.services.0.preview-service: test cannot be cart's preview Service: it is also myapp's preview Service",
    ],
  ])('a name that is %s is refused naming the key', (_, entries, message) => {
    const { problems } = resolveServiceNames(['myapp'], { file: file(entries), inputs: {} });
    expect(problems[0]?.message).toBe(message);
    expect(problems[0]?.key).toBe(message.split(':')[0]);
  });

  it('a service listed twice is refused naming the second entry', () => {
    const { problems } = resolveServiceNames(['myapp'], {
      file: file('[myapp, { name: myapp, stable-service: myapp-service }]'),
      inputs: {},
    });
    expect(problems.map((p) => [p.key, p.message])).toEqual([
      ['environments.prod.eks.services.1', 'environments.prod.eks.services.1: lists myapp a second time'],
    ]);
  });

  it('an input that collides names the input', () => {
    const { problems } = resolveServiceNames(['myapp'], { inputs: { stable: 'myapp-service', preview: 'myapp-service' } });
    expect(problems.map((p) => p.input)).toEqual(['stable-service', 'preview-service']);
    expect(problems[0]?.message).toBe(
      "input 'stable-service': myapp-service cannot be myapp's stable Service: it is also its preview Service",
    );
  });

  it('the schema takes the object form and refuses unknown keys and bad names', () => {
    expect(parseEntries('[{ name: myapp, stable-service: myapp-service }, cart]')).toEqual([
      { name: 'myapp', 'stable-service': 'myapp-service' },
      'cart',
    ]);
    expect(() => parseEntries('[{ name: myapp, stable: myapp-service }]')).toThrow(
      /environments\.prod\.eks\.services\.0\.stable: unknown key/,
    );
    expect(() => parseEntries('[{ name: myapp, preview-service: My_Preview }]')).toThrow(
      /environments\.prod\.eks\.services\.0\.preview-service: expected a Kubernetes Service name \(lower-case letters, digits, -, starting with a letter\), got "My_Preview"/,
    );
  });
});

// Both actions, from the environment file and from their inputs: the same names, or the same refusal.
const root = mkdtempSync(join(tmpdir(), 'service-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function workspace(entries: string): string {
  const ws = mkdtempSync(join(root, 'ws-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github/expeditor.yml'), environmentFile(entries));
  return ws;
}

const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined };
const context = (ws: string) => ({ workspace: ws, sha: 'c0ffee', runUrl: 'https://github.com/o/r/actions/runs/1' });

function deployPlan(ws: string, over: Partial<DeployEksInputs>) {
  const inputs = deployEksInputs(`${ecr}/myapp@sha256:${'b'.repeat(64)}`, { environment: 'prod', ...over });
  return planDeployEks(inputs, { ...context(ws), runner });
}

function switchPlan(ws: string, over: Partial<EksSwitchInputs>) {
  return planEksSwitch({ action: 'switch', environment: 'prod', config: '.github/expeditor.yml' }, eksSwitchInputs(over), context(ws));
}

function refusal(fn: () => unknown): ExpeditorError[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProblemsError) return [...error.problems];
    if (error instanceof ExpeditorError) return [error];
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('deploy-eks and bluegreen-switch agree', () => {
  it('the env-file form and the input form give both actions the same names', () => {
    const fromFile = workspace('[{ name: myapp, stable-service: myapp-service, preview-service: myapp-preview }]');
    const fromInputs = workspace('[myapp]');
    const inputs = { stableService: 'myapp-service', previewService: 'myapp-preview' };
    for (const [ws, over] of [
      [fromFile, {}],
      [fromInputs, inputs],
    ] as const) {
      expect(deployPlan(ws, over).names.get('myapp')).toEqual({ service: 'myapp', stable: 'myapp-service', preview: 'myapp-preview' });
      const options = switchPlan(ws, over).options;
      expect([options.service, options.stableService, options.previewService]).toEqual(['myapp', 'myapp-service', 'myapp-preview']);
    }
    // The summary says where a name that is not the convention's came from.
    expect(deployPlan(fromFile, {}).settings.rows()).toContainEqual([
      'stable Service',
      'myapp-service',
      'environments.prod.eks.services.0.stable-service',
    ]);
    expect(switchPlan(fromInputs, inputs).settings.rows()).toContainEqual(['stable Service', 'myapp-service', "input 'stable-service'"]);
  });

  it('the switch takes the entry of the service it is given, though the file lists several', () => {
    const ws = workspace('[{ name: myapp, stable-service: myapp-service }, cart]');
    expect(switchPlan(ws, { service: 'myapp' }).options).toMatchObject({ stableService: 'myapp-service', previewService: 'myapp-preview' });
    expect(switchPlan(ws, { service: 'cart' }).options).toMatchObject({ stableService: 'cart', previewService: 'cart-preview' });
  });

  it('a colliding name stops both before any request, naming the key or input', () => {
    const bad = workspace('[{ name: myapp, stable-service: myapp-green }]');
    for (const problems of [refusal(() => deployPlan(bad, {})), refusal(() => switchPlan(bad, {}))]) {
      expect(problems.map((p) => p.key)).toEqual(['environments.prod.eks.services.0.stable-service']);
      expect(problems[0]?.unchanged).toBe('nothing was changed');
    }
    const ws = workspace('[myapp]');
    for (const problems of [
      refusal(() => deployPlan(ws, { previewService: 'myapp' })),
      refusal(() => switchPlan(ws, { previewService: 'myapp' })),
    ]) {
      expect(problems.map((p) => [p.input, p.message])).toEqual([
        ['preview-service', "input 'preview-service': myapp cannot be myapp's preview Service: it is also its stable Service"],
      ]);
    }
  });

  it('deploy-eks refuses the inputs with several services', () => {
    const ws = workspace('[myapp, cart]');
    const problems = refusal(() => deployPlan(ws, { stableService: 'myapp-service' }));
    expect(problems.map((p) => p.input)).toEqual(['stable-service']);
  });

  it('the switch refuses the stable-service input on the Ingress route, where no selector moves', () => {
    const problems = refusal(() => switchPlan(workspace('[myapp]'), { route: 'ingress', ingress: 'web', stableService: 'myapp-service' }));
    expect(problems.map((p) => p.input)).toEqual(['stable-service']);
  });

  it('a Service name must start with a letter (DNS-1035), in the file as in the inputs', () => {
    expect(() => parseEntries('[{ name: myapp, stable-service: 1app }]')).toThrow(
      /services\.0\.stable-service: expected a Kubernetes Service name \(lower-case letters, digits, -, starting with a letter\), got "1app"/,
    );
    const env = inputEnv({
      image: `${ecr}/myapp@sha256:${'b'.repeat(64)}`,
      services: 'myapp',
      'preview-service': '1app',
      service: 'myapp',
    });
    for (const read of [() => readDeployEksInputs(new ActionInputs(env)), () => readEksSwitchInputs(new ActionInputs(env), {})]) {
      expect(refusal(read).map((p) => p.input)).toEqual(['preview-service']);
    }
  });

  it('the switch refuses them with a Rollout, which names its own Services', () => {
    const ws = workspace('[myapp]');
    const problems = refusal(() => switchPlan(ws, { rollout: 'myapp', stableService: 'myapp-service' }));
    expect(problems.map((p) => p.input)).toContain('stable-service');
  });
});
