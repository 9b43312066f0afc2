import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, environmentOf } from '../../packages/shared/src/config.ts';
import { ProblemsError } from '../../packages/shared/src/errors.ts';
import { Settings } from '../../packages/shared/src/settings.ts';

const example = readFileSync(resolve(import.meta.dirname, '../../examples/expeditor.yml'), 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, '.github/expeditor.yml');
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error('expected problems');
}

describe('the environment file', () => {
  it('reads the example of the design, with defaults filled in', () => {
    const config = parseConfig(example, 'examples/expeditor.yml');
    expect(config.app).toBe('demo-app');
    expect(config.environments.dev?.ecs).toMatchObject({ cluster: 'dev-cluster', strategy: 'rolling' });
    expect(config.environments.prod?.eks).toMatchObject({ route: 'ingress', canary: [10, 50, 100], 'color-label': 'version' });
    expect(environmentOf(config, 'staging', 'x').eks?.namespace).toBe('staging');
  });

  it('reports every problem at once with the key path, the line and what was expected', () => {
    const broken = example
      .replace('account: "333333333333"', 'account: "33333333333"')
      .replace('cluster: dev-cluster,', 'clustr: dev-cluster,')
      .replace('promote-from: staging', 'promote-from: stagin')
      .replace('canary: [10, 50, 100]', 'canary: [50, 10]');
    expect(problemsOf(broken)).toEqual([
      '.github/expeditor.yml:7: environments.dev.ecs.cluster: is required (string)',
      '.github/expeditor.yml:7: environments.dev.ecs.clustr: unknown key',
      '.github/expeditor.yml:14: environments.prod.aws.account: expected 12 digits, got "33333333333"',
      ".github/expeditor.yml:14: environments.prod.aws.role: the role is in account 333333333333, not in this environment's account 33333333333",
      '.github/expeditor.yml:15: environments.prod.eks.canary: expected increasing weights',
      '.github/expeditor.yml:15: environments.prod.eks.canary: expected the last weight to be 100',
      '.github/expeditor.yml:16: environments.prod.promote-from: names no environment of this file (have: dev, staging, prod), got "stagin"',
    ]);
  });

  it('says where a YAML syntax error is', () => {
    const problems = problemsOf('app: demo\nimage: [\n');
    expect(problems[0]).toMatch(/^\.github\/expeditor\.yml:\d+: /);
  });

  it('names the environments it has when asked for another', () => {
    const config = parseConfig(example, 'x.yml');
    expect(() => environmentOf(config, 'qa', 'x.yml')).toThrow('environment "qa" is not in x.yml (have: dev, staging, prod)');
  });

  it('lets explicit inputs win over the file and records where each value came from', () => {
    const settings = new Settings();
    expect(
      settings.pick('cluster', { name: 'cluster', value: 'other' }, { key: 'environments.dev.ecs.cluster', value: 'dev-cluster' }),
    ).toBe('other');
    expect(settings.pick('service', { name: 'service', value: undefined }, { key: 'environments.dev.ecs.service', value: 'app' })).toBe(
      'app',
    );
    expect(settings.pick('wait-until', { name: 'wait-until', value: undefined }, undefined, 'succeeded')).toBe('succeeded');
    expect(settings.rows()).toEqual([
      ['cluster', 'other', "input 'cluster'"],
      ['service', 'app', 'environments.dev.ecs.service'],
      ['wait-until', 'succeeded', 'default'],
    ]);
  });
});

describe('environment-file values are checked as strictly as inputs', () => {
  const base = [
    'app: shop',
    'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
    'environments:',
    '  prod:',
    '    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }',
  ].join('\n');
  const withEnv = (lines: string) => `${base}\n${lines}\n`;

  it.each([
    ['an EKS cluster with a newline', '    eks: { cluster: "prod\\nx" }', /environments\.prod\.eks\.cluster: expected an EKS cluster name/],
    [
      'an EKS cluster that would become a request path',
      '    eks: { cluster: "prod?x#y" }',
      /environments\.prod\.eks\.cluster: expected an EKS cluster name/,
    ],
    [
      'a color label that injects a selector',
      '    eks: { cluster: prod, color-label: "version,app notin (x)" }',
      /environments\.prod\.eks\.color-label: expected a Kubernetes label key/,
    ],
    [
      'a container name with a newline',
      '    ecs: { cluster: prod, service: web, container: "app\\n::error::x" }',
      /environments\.prod\.ecs\.container: expected an ECS container name/,
    ],
    [
      'a CodeDeploy application with a newline',
      '    ecs: { cluster: prod, service: web, codedeploy: { application: "a\\nb", deployment-group: g } }',
      /environments\.prod\.ecs\.codedeploy\.application/,
    ],
    [
      'a variable with a newline',
      '    vars: { LOG_LEVEL: "debug\\n::add-mask::x" }',
      /environments\.prod\.vars\.LOG_LEVEL: expected one line/,
    ],
    ['a javascript: URL', '    url: "javascript:alert(1)"', /environments\.prod\.url: expected an http:\/\/ or https:\/\/ URL/],
    [
      'a test listener that is no listener ARN',
      '    ecs: { cluster: prod, service: web, codedeploy: { application: a, deployment-group: g, test-listener: "x y" } }',
      /test-listener: expected an Elastic Load Balancing listener ARN/,
    ],
  ])('refuses %s, naming the key', (_, lines, message) => {
    expect(problemsOf(withEnv(lines)).join('\n')).toMatch(message);
  });

  it('takes variable names with dots, as Spring and ECS do', () => {
    const config = parseConfig(withEnv('    vars: { spring.profiles.active: prod }'), 'x');
    expect(config.environments.prod?.vars).toEqual({ 'spring.profiles.active': 'prod' });
  });

  it('refuses 20,000 environments quickly, without listing them', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `  e${i}: {}`).join('\n');
    const text = `app: shop\nimage: { repository: r.example.com/shop }\nenvironments:\n${many}\n`;
    const problems = problemsOf(text);
    expect(problems).toEqual(['.github/expeditor.yml:4: environments: has 20000 environments, more than 50']);
  });

  it('names a key written twice in one map, with its line', () => {
    expect(problemsOf(withEnv('    url: https://a.example.com\n    url: https://b.example.com'))).toEqual([
      '.github/expeditor.yml:7: the key "url" appears twice in one map',
    ]);
  });
});
