// Task definition files as teams commit them, through the committed bundle on the bed, whose
// RegisterTaskDefinition refuses what real ECS refuses (test/bed/moto/bed_ecs_validate.py): a
// half-filled `--generate-cli-skeleton` file, YAML, describe-task-definition output with a BOM,
// and files ECS would reject, refused naming the key and line before anything is registered.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { useBed } from '../bed/vitest.ts';
import { callsOf, digestImage, rollingService, runBundle } from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);

function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'td-ws-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, name), text);
  return ws;
}

const skeleton = (family: string, account: string) => `{
    "family": "${family}",
    "taskRoleArn": "",
    "executionRoleArn": "arn:aws:iam::${account}:role/ecsTaskExecutionRole",
    "networkMode": "bridge",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "",
            "repositoryCredentials": { "credentialsParameter": "" },
            "memory": 128,
            "portMappings": [{ "containerPort": 8080, "hostPort": 0, "protocol": "tcp", "name": "", "appProtocol": "" }],
            "essential": true,
            "environment": [{ "name": "", "value": "" }, { "name": "FEATURE_FLAGS", "value": "" }],
            "hostname": "",
            "user": "",
            "workingDirectory": "",
            "mountPoints": [],
            "volumesFrom": []
        }
    ],
    "volumes": [],
    "placementConstraints": [],
    "pidMode": "",
    "ipcMode": ""
}`;

describe('deploy-ecs with task definition files as teams write them', () => {
  it('a half-filled CLI skeleton: the bed (like ECS) refuses it as written; deploy-ecs leaves the empty values out and deploys', async () => {
    const account = bed.moto.defaultAccount;
    const fx = await rollingService(bed.moto);
    const text = skeleton(fx.family, account);
    // The file as it is, sent the way a tool that does not clean it would: refused, so the bed can tell.
    const raw = JSON.parse(text) as Record<string, unknown>;
    await expect(fx.ecs.send(new RegisterTaskDefinitionCommand(raw as never))).rejects.toThrow(
      /pidMode|Role is not valid|should not be null or empty/,
    );

    const ws = workspace({ 'task-definition.json': text });
    const image = digestImage();
    const run = await runBundle(
      'deploy-ecs',
      { image, cluster: fx.cluster, service: fx.service, 'task-definition': 'task-definition.json' },
      bed.moto.env(),
      { workspace: ws },
    );
    expect(run.status, run.log).toBe(0);
    expect(run.stdout).toMatch(/left out empty values ECS would reject: .*taskRoleArn.*pidMode/);
    const td = (await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] })))
      .taskDefinition!;
    expect(td.pidMode).toBeUndefined();
    expect(td.containerDefinitions?.[0]).toMatchObject({ image, environment: [{ name: 'FEATURE_FLAGS', value: '' }] });
  });

  it('YAML, and describe-task-definition output saved with a byte-order mark, deploy alike', async () => {
    const fx = await rollingService(bed.moto);
    const described = await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: fx.firstTd, include: ['TAGS'] }));
    const yaml = `# ECS task definition for the app
family: ${fx.family}
containerDefinitions:
  - name: app
    image: placeholder
    memory: 128
    essential: true
    portMappings:
      - containerPort: 8080
        protocol: tcp
  - name: log-router
    image: public.ecr.aws/aws-observability/aws-for-fluent-bit:stable
    memory: 64
    essential: false
`;
    // As `aws ecs describe-task-definition --include TAGS` prints it (the SDK's $metadata is not in it).
    const cli = { taskDefinition: described.taskDefinition, tags: described.tags ?? [] };
    const ws = workspace({ 'td.yaml': yaml, 'described.json': `\uFEFF${JSON.stringify(cli, null, 4)}` });
    for (const file of ['td.yaml', 'described.json']) {
      const run = await runBundle(
        'deploy-ecs',
        { image: digestImage(), cluster: fx.cluster, service: fx.service, 'task-definition': file, container: 'app' },
        bed.moto.env(),
        { workspace: ws },
      );
      expect(run.status, `${file}\n${run.log}`).toBe(0);
      expect(run.outputs.status).toBe('COMPLETED');
    }
  });

  it('as other actions hand them over: a service ARN (no cluster), a file an earlier step rendered into RUNNER_TEMP, a dotted variable, an SSM parameter by name', async () => {
    const account = bed.moto.defaultAccount;
    const fx = await rollingService(bed.moto, { executionRole: true });
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const rendered = join(runnerTemp, 'task-definition-rendered.json');
    writeFileSync(
      rendered,
      JSON.stringify({
        family: fx.family,
        executionRoleArn: `arn:aws:iam::${account}:role/ecs-execution`,
        containerDefinitions: [{ name: 'app', image: 'rendered', memory: 128, portMappings: [{ containerPort: 8080 }] }],
      }),
    );
    const run = await runBundle(
      'deploy-ecs',
      {
        image: digestImage(),
        service: `arn:aws:ecs:${bed.moto.region}:${account}:service/${fx.cluster}/${fx.service}`,
        'task-definition': rendered,
        vars: 'spring.profiles.active=prod',
        secrets: 'API_KEY=/shop/api-key',
      },
      { ...bed.moto.env(), RUNNER_TEMP: runnerTemp },
      { workspace: workspace({}) },
    );
    expect(run.status, run.log).toBe(0);
    const app = (await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] })))
      .taskDefinition!.containerDefinitions![0]!;
    expect(app.environment).toEqual([{ name: 'spring.profiles.active', value: 'prod' }]);
    expect(app.secrets).toEqual([{ name: 'API_KEY', valueFrom: '/shop/api-key' }]);
    expect(run.summary).toContain(`| cluster | ${fx.cluster} | the service ARN |`);
    // What ran before, from the service (not the file's placeholder), for a rollback's record.
    expect(run.outputs['previous-image']).toBe('127.0.0.1:5000/shop/app:1');
  });

  it('CodeDeploy settings for a rolling service are refused, naming them, before anything is registered', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service, hooks: 'BeforeAllowTraffic=check-smoke', 'container-port': '8080' },
      bed.moto.env(),
      { workspace: workspace({}) },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `input 'hooks': service ${fx.service} deploys rolling (ECS deployment controller), so hooks, container-port would not be used`,
    );
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
  });

  it.each([
    [
      'a protocol in capitals',
      (td: string) => td.replace('"protocol": "tcp"', '"protocol": "TCP"'),
      /td\.json:12: containerDefinitions\.0\.portMappings\.0\.protocol: expected "tcp", "udp", got the string "TCP"/,
    ],
    [
      'a family with a space',
      (td: string) => td.replace(/"family": "[^"]+"/, '"family": "shop web"'),
      /td\.json:2: family: expected 1 to 255 letters/,
    ],
    [
      'a typo in a key',
      (td: string) => td.replace('"essential"', '"esential"'),
      /td\.json:\d+: containerDefinitions\.0: unknown key "esential"/,
    ],
    [
      'a key given twice',
      (td: string) => td.replace('"memory": 128,', '"memory": 128, "memory": 256,'),
      /td\.json:11: the key "memory" appears twice/,
    ],
  ])('%s is refused naming the key and line; nothing registered, nothing updated', async (_, change, message) => {
    const fx = await rollingService(bed.moto);
    const ws = workspace({ 'td.json': change(skeleton(fx.family, bed.moto.defaultAccount)) });
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service, 'task-definition': 'td.json' },
      bed.moto.env(),
      { workspace: ws },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(0);
  });
});
