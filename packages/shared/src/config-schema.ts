// The environment file (.github/expeditor.yml): one blueprint, values per environment. This schema
// is the single source of the TypeScript types and of the published JSON Schema.
import { z } from 'zod';
import {
  accountId,
  awsRegion,
  codeDeployName,
  ecsClusterRef,
  ecsName,
  ecsServiceRef,
  eksClusterName,
  environmentName,
  k8sName,
  labelKey,
  listenerArn,
  roleArn,
  secretReference,
  serviceName,
  serviceNameText,
  singleLine,
  variableName,
} from './patterns.ts';

const text = (pattern: RegExp, expected: string) => z.string().regex(pattern, { error: `expected ${expected}` });
/** Free text that ends up in requests, logs and summaries: one line, bounded. */
const line = (max: number) =>
  z.string().min(1).max(max).regex(singleLine, { error: 'expected one line of text without control characters' });

/** How many environments a file may have: enough for any real pipeline, few enough to list in an error (config.ts counts them before validating). */
export const maxEnvironments = 50;

const aws = z.strictObject({
  account: text(accountId, '12 digits').describe('The 12-digit AWS account of this environment.'),
  region: text(awsRegion, 'an AWS region such as us-west-2').describe('AWS region.'),
  role: text(roleArn, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)').describe(
    'Role assumed through GitHub OIDC for this environment.',
  ),
  'chain-role': text(roleArn, 'an IAM role ARN').optional().describe('A second role assumed with the first (role chaining).'),
});

const codedeploy = z.strictObject({
  application: text(codeDeployName, 'a CodeDeploy application name'),
  'deployment-group': text(codeDeployName, 'a CodeDeploy deployment group name'),
  'deployment-config': text(codeDeployName, 'a CodeDeploy deployment configuration name')
    .optional()
    .describe('e.g. CodeDeployDefault.ECSCanary10Percent5Minutes'),
  'test-listener': text(listenerArn, 'an Elastic Load Balancing listener ARN').optional(),
});

const ecs = z.strictObject({
  cluster: text(ecsClusterRef, 'an ECS cluster name or ARN'),
  service: text(ecsServiceRef, 'an ECS service name or ARN'),
  // No default: deploy-ecs reads it from the service's deployment controller (CODE_DEPLOY is blue-green).
  strategy: z
    .enum(['rolling', 'blue-green'])
    .optional()
    .describe('Default: the service’s deployment controller decides (CODE_DEPLOY → blue-green, ECS → rolling).'),
  container: text(ecsName, 'an ECS container name').optional().describe('Container whose image is set.'),
  'task-definition': line(1024).optional().describe('Task definition JSON file; default: the service’s current one.'),
  codedeploy: codedeploy.optional(),
  'wait-until': z.enum(['succeeded', 'ready', 'none']).optional(),
  alarms: z
    .array(z.string().regex(/^[^,\p{Cc}]{1,255}$/u, { error: 'expected a CloudWatch alarm name (up to 255 characters, no comma)' }))
    .min(1)
    .max(10)
    .optional()
    .describe(
      'CloudWatch alarms that fail a deployment when one goes into ALARM: ECS deployment alarms (rolling), the CodeDeploy group’s alarms (blue/green).',
    ),
  'alarm-rollback': z.boolean().optional().describe('Roll back when one of the alarms fires (default true).'),
});

const canarySteps = z
  .array(z.int().min(1).max(100))
  .min(1)
  .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0)), { error: 'expected increasing weights' })
  .refine((steps) => steps.at(-1) === 100, { error: 'expected the last weight to be 100' });

/**
 * A service of eks.services: its name, or its name with the team's own names for its Services (as
 * Argo's activeService / previewService); packages/bluegreen/src/service-names.ts checks that
 * they collide with nothing else.
 */
const eksService = z.union(
  [
    text(k8sName, 'a service name (lower-case letters, digits, -)'),
    z.strictObject({
      name: text(k8sName, 'a service name (lower-case letters, digits, -)').describe(
        'The service: its Deployments are <name>-blue and <name>-green.',
      ),
      'stable-service': text(serviceName, serviceNameText)
        .optional()
        .describe('The Service that carries traffic, whose selector bluegreen-switch moves (default <name>).'),
      'preview-service': text(serviceName, serviceNameText)
        .optional()
        .describe('The Service deploy-eks points at the color it brings up (default <name>-preview).'),
    }),
  ],
  { error: 'expected a service name, or { name, stable-service, preview-service }' },
);

const eks = z.strictObject({
  cluster: text(eksClusterName, 'an EKS cluster name').describe('EKS cluster name.'),
  namespace: text(k8sName, 'a Kubernetes namespace name').default('default'),
  strategy: z
    .enum(['blue-green', 'rolling'])
    .default('blue-green')
    .describe('rolling: the Deployment updated in place (dev environments), no colors and no switch.'),
  route: z.enum(['service', 'ingress']).default('service'),
  services: z
    .array(eksService)
    .optional()
    .describe(
      'Services deployed together: a name (Deployments <name>-blue and <name>-green behind the Service <name>), or { name, stable-service, preview-service } for a service whose Services have names of their own.',
    ),
  ingress: text(k8sName, 'an Ingress name').optional(),
  rollout: text(k8sName, 'a Rollout name')
    .optional()
    .describe('An Argo Rollouts blue/green Rollout: bluegreen-switch promotes it (switch) or aborts it (rollback).'),
  canary: canarySteps.optional().describe('Ingress weight steps, e.g. [10, 50, 100].'),
  'color-label': text(labelKey, 'a Kubernetes label key such as version').default('version'),
  'service-account': text(k8sName, 'a ServiceAccount name').optional(),
  'irsa-role': text(roleArn, 'an IAM role ARN').optional().describe('IAM role for the pods (IRSA annotation).'),
  'config-maps': z.array(text(k8sName, 'a ConfigMap name')).optional(),
  secrets: z.array(text(k8sName, 'a Secret name')).optional(),
});

// Analysis: checks that gate a switch (before it, after each canary step, in a window after it).
// The shape is checked here; conditions, queries and placeholders are checked by
// packages/analysis/src/plan.ts, which names the same keys.
const duration = text(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'a duration such as 10s, 2m or 1m30s');
const checkCommon = {
  name: text(k8sName, 'a check name (lower-case letters, digits, -)').describe('Shown in the log and the step summary.'),
  at: z
    .array(z.enum(['pre', 'step', 'post']))
    .min(1)
    .optional()
    .describe(
      'When the check runs: pre (against the target color before any traffic moves), step (after each canary step), post (a window after the switch; a failure rolls back). Default: all three.',
    ),
  success: line(1024).optional().describe('A measurement passes when this is true, e.g. result >= 0.95 or result[0] < 5.'),
  failure: line(1024).optional().describe('A measurement fails when this is true; with both conditions, neither true is inconclusive.'),
  interval: duration.optional().describe('Time between measurements (default 10s).'),
  count: z.int().min(1).max(1000).optional().describe('Measurements per moment (default 3).'),
  'failure-limit': z.int().min(0).max(1000).optional().describe('Failed measurements tolerated (default 0).'),
  'inconclusive-limit': z.int().min(0).max(1000).optional().describe('Inconclusive measurements tolerated (default 0).'),
  'consecutive-error-limit': z
    .int()
    .min(0)
    .max(1000)
    .optional()
    .describe('Measurements in a row that may error (the source did not answer) before the check is inconclusive (default 4).'),
};
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).max(2048);
const analysisCheck = z.discriminatedUnion('provider', [
  z.strictObject({
    ...checkCommon,
    provider: z.literal('cloudwatch-alarm'),
    alarms: z.array(line(255)).min(1).max(100).describe('CloudWatch alarm names: any in ALARM fails the measurement.'),
  }),
  z.strictObject({
    ...checkCommon,
    provider: z.literal('cloudwatch-metric'),
    metric: z
      .strictObject({
        namespace: line(255),
        name: line(255),
        dimensions: z.record(line(255), line(1024)).optional(),
        stat: line(100).optional().describe('Average (default), Sum, Minimum, Maximum, SampleCount, p99, …'),
        period: z.int().min(1).max(86_400).optional().describe('Seconds (default 60).'),
      })
      .optional()
      .describe('A metric and statistic; result is its newest value.'),
    expression: line(2048)
      .optional()
      .describe('Metric math over the metrics of `metrics` (e.g. errors / requests); result is its newest value.'),
    metrics: z
      .record(
        text(/^[a-z][A-Za-z0-9_]{0,254}$/, 'a metric id (a lower-case letter, then letters, digits, _)'),
        z.strictObject({
          namespace: line(255),
          name: line(255),
          dimensions: z.record(line(255), line(1024)).optional(),
          stat: line(100).optional(),
          period: z.int().min(1).max(86_400).optional(),
        }),
      )
      .optional(),
    lookback: duration.optional().describe('How far back data points are read (default 5m).'),
  }),
  z.strictObject({
    ...checkCommon,
    provider: z.literal('prometheus'),
    address: httpUrl.describe('The Prometheus server, e.g. http://prometheus.monitoring:9090'),
    query: z.string().min(1).max(8192).describe('An instant PromQL query; result is a number (scalar) or a list (vector).'),
  }),
  z.strictObject({
    ...checkCommon,
    provider: z.literal('http'),
    url: httpUrl.describe('GET; result is the status code (default success: result >= 200 && result < 300).'),
    timeout: duration.optional().describe('Per request (default 10s).'),
  }),
]);

export const analysisSchema = z
  .strictObject({
    checks: z.array(analysisCheck).min(1).max(20),
  })
  .describe('Checks that gate a switch: before it, after each canary step, and in a window after it.');

const secret = text(secretReference, 'a Secrets Manager or Parameter Store ARN, or a parameter path such as /app/key');
const variable = text(variableName, 'a variable name');

const environment = z
  .strictObject({
    aws,
    ecs: ecs.optional(),
    eks: eks.optional(),
    vars: z
      .record(variable, z.string().max(4096).regex(singleLine, { error: 'expected one line of text without control characters' }))
      .optional(),
    secrets: z.record(variable, secret).optional(),
    'promote-from': text(environmentName, 'an environment name').optional(),
    analysis: analysisSchema.optional(),
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .max(2048)
      .optional()
      .describe('The environment URL shown on GitHub Deployments.'),
  })
  .superRefine((env, ctx) => {
    if (env.ecs && env.eks) ctx.addIssue({ code: 'custom', path: ['eks'], message: 'an environment has either ecs or eks, not both' });
    // The exported credentials are the last role's: with chaining, the first role may live in a
    // shared tooling account and the chained one must be in this environment's account.
    const chained = env.aws['chain-role'] !== undefined;
    const lastRole = env.aws['chain-role'] ?? env.aws.role;
    const roleAccount = /::(\d{12}):/.exec(lastRole)?.[1];
    if (roleAccount && roleAccount !== env.aws.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['aws', chained ? 'chain-role' : 'role'],
        message: `the ${chained ? 'chained ' : ''}role is in account ${roleAccount}, not in this environment's account ${env.aws.account}`,
      });
    }
  });

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    app: text(k8sName, 'an app name (lower-case letters, digits, -)'),
    image: z.strictObject({
      repository: z.string().regex(/^[a-zA-Z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/, { error: 'expected an image repository without tag' }),
    }),
    environments: z.record(text(environmentName, 'an environment name'), environment),
  })
  .superRefine(
    (config, ctx) => {
      // Runs even when other keys are wrong (see `when`), so every problem is reported in one go;
      // hence the defensive reading of a value that may not have passed the schema.
      const environments: unknown = (config as { environments?: unknown } | undefined)?.environments;
      if (!environments || typeof environments !== 'object') return;
      const names = Object.keys(environments);
      for (const [name, env] of Object.entries(environments as Record<string, unknown>)) {
        const from = env && typeof env === 'object' ? (env as Record<string, unknown>)['promote-from'] : undefined;
        if (typeof from === 'string' && !names.includes(from)) {
          ctx.addIssue({
            code: 'custom',
            input: from,
            path: ['environments', name, 'promote-from'],
            message: `names no environment of this file (have: ${names.join(', ')})`,
          });
        }
      }
      // A promotion chain must end somewhere (dev ← staging ← prod): report each loop once, at
      // the first environment of the file that is on it.
      const fromOf = (name: string): string | undefined => {
        const env = (environments as Record<string, unknown>)[name];
        const from = env && typeof env === 'object' ? (env as Record<string, unknown>)['promote-from'] : undefined;
        return typeof from === 'string' && names.includes(from) ? from : undefined;
      };
      const reported = new Set<string>();
      for (const name of names) {
        const path = [name];
        for (let next = fromOf(name); next !== undefined && !path.includes(next); next = fromOf(next)) path.push(next);
        const last = fromOf(path.at(-1) ?? name);
        if (last !== name || reported.has(name)) continue;
        for (const member of path) reported.add(member);
        ctx.addIssue({
          code: 'custom',
          path: ['environments', name, 'promote-from'],
          message:
            path.length === 1
              ? 'an environment cannot be promoted from itself'
              : `promotions go round in a loop: ${[...path, name].join(' ← ')}`,
        });
      }
    },
    { when: () => true },
  );

export type ExpeditorConfig = z.output<typeof configSchema>;
export type EnvironmentConfig = ExpeditorConfig['environments'][string];
export type EcsConfig = NonNullable<EnvironmentConfig['ecs']>;
export type EksConfig = NonNullable<EnvironmentConfig['eks']>;
export type AnalysisConfig = z.output<typeof analysisSchema>;
export type AnalysisCheckConfig = AnalysisConfig['checks'][number];

/** The JSON Schema published for editors (yaml-language-server). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Expeditor environment file',
  };
}
