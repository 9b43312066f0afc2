// The task definition deploy-ecs registers: read from a file (RegisterTaskDefinition JSON, or what
// `aws ecs describe-task-definition` prints), then rendered with the image, variables and secrets.
import { describe, expect, it } from 'vitest';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { parseTaskDefinitionFile, readTaskDefinitionFile } from '../../actions/deploy-ecs/src/task-definition-file.ts';
import {
  containerPorts,
  renderTaskDefinition,
  stripReadOnly,
  type RenderOptions,
  type TaskDefinitionInput,
} from '../../actions/deploy-ecs/src/task-definition.ts';
import { thrown } from './thrown.ts';

const registry = '123456789012.dkr.ecr.us-west-2.amazonaws.com';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const oldImage = `${registry}/shop-web@${digest('1')}`;
const newImage = `${registry}/shop-web@${digest('2')}`;
const dbSecret = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:shop/db-password-AbCdEf';

// `aws ecs describe-task-definition --task-definition shop-web:7 --include TAGS`, as the CLI prints it.
const described = `{
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:7",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "${oldImage}",
                "cpu": 0,
                "portMappings": [
                    {
                        "containerPort": 8080,
                        "hostPort": 8080,
                        "protocol": "tcp",
                        "name": "web-8080-tcp",
                        "appProtocol": "http"
                    }
                ],
                "essential": true,
                "environment": [
                    {
                        "name": "NODE_ENV",
                        "value": "production"
                    }
                ],
                "mountPoints": [],
                "volumesFrom": [],
                "secrets": [
                    {
                        "name": "DB_PASSWORD",
                        "valueFrom": "${dbSecret}"
                    }
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/shop-web",
                        "awslogs-region": "us-west-2",
                        "awslogs-stream-prefix": "ecs"
                    }
                },
                "systemControls": []
            }
        ],
        "family": "shop-web",
        "taskRoleArn": "arn:aws:iam::123456789012:role/shop-web-task",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "networkMode": "awsvpc",
        "revision": 7,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [
            {
                "name": "com.amazonaws.ecs.capability.logging-driver.awslogs"
            },
            {
                "name": "ecs.capability.execution-role-awslogs"
            },
            {
                "name": "com.amazonaws.ecs.capability.ecr-auth"
            },
            {
                "name": "ecs.capability.secrets.asm.environment-variables"
            },
            {
                "name": "com.amazonaws.ecs.capability.task-iam-role"
            },
            {
                "name": "ecs.capability.task-eni"
            }
        ],
        "placementConstraints": [],
        "compatibilities": [
            "EC2",
            "FARGATE"
        ],
        "requiresCompatibilities": [
            "FARGATE"
        ],
        "cpu": "256",
        "memory": "512",
        "runtimePlatform": {
            "cpuArchitecture": "X86_64",
            "operatingSystemFamily": "LINUX"
        },
        "registeredAt": "2025-03-04T10:41:17.285000+00:00",
        "registeredBy": "arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions",
        "enableFaultInjection": false
    },
    "tags": [
        {
            "key": "team",
            "value": "shop"
        },
        {
            "key": "aws:cloudformation:stack-name",
            "value": "shop-web"
        }
    ]
}
`;

// What a person writes for RegisterTaskDefinition (`aws ecs register-task-definition --cli-input-json`).
const plain = {
  family: 'shop-web',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: oldImage, essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] }],
  tags: [{ key: 'team', value: 'shop' }],
};

describe('parseTaskDefinitionFile', () => {
  it('reads describe-task-definition output: the definition, its own tags, no read-only fields', () => {
    const input = parseTaskDefinitionFile(described, 'ecs/task-definition.json');
    expect(Object.keys(input).sort()).toEqual(
      [
        'containerDefinitions',
        'cpu',
        'enableFaultInjection',
        'executionRoleArn',
        'family',
        'memory',
        'networkMode',
        'requiresCompatibilities',
        'runtimePlatform',
        'tags',
        'taskRoleArn',
      ].sort(),
    );
    for (const readOnly of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(input).not.toHaveProperty(readOnly);
    }
    expect(input.family).toBe('shop-web');
    // aws: tags are AWS's own and cannot be registered.
    expect(input.tags).toEqual([{ key: 'team', value: 'shop' }]);
    expect(input.containerDefinitions?.[0]?.secrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: dbSecret }]);
  });

  it.each([
    { name: 'plain RegisterTaskDefinition JSON', text: JSON.stringify(plain), expected: plain },
    {
      name: 'a described definition without the wrapper',
      text: JSON.stringify({
        ...plain,
        taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:3',
        revision: 3,
        status: 'ACTIVE',
      }),
      expected: plain,
    },
    { name: 'without tags', text: JSON.stringify({ ...plain, tags: [] }), expected: { ...plain, tags: undefined } },
    {
      name: 'only aws: tags',
      text: JSON.stringify({ ...plain, tags: [{ key: 'aws:ecs:clusterName', value: 'x' }] }),
      expected: { ...plain, tags: undefined },
    },
  ])('reads $name', ({ text, expected }) => {
    expect(parseTaskDefinitionFile(text, 'td.json')).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it.each([
    { name: 'broken JSON', text: '{ "family": "shop-web", ', message: /^input 'task-definition': td\.json:1: not valid JSON: / },
    { name: 'a list', text: '[]', message: /td\.json:1: must hold an object \(a task definition\), got a list$/ },
    { name: 'null', text: 'null', message: /got null$/ },
    { name: 'an unknown key', text: JSON.stringify({ ...plain, containers: [1] }), message: /td\.json:1: unknown key "containers"$/ },
    { name: 'two unknown keys', text: JSON.stringify({ ...plain, Family: 'x', image: 'y' }), message: /unknown keys "Family", "image"$/ },
    { name: 'no family', text: JSON.stringify({ ...plain, family: undefined }), message: /td\.json:1: family: is required \(string\)$/ },
    {
      name: 'a bad family',
      text: JSON.stringify({ ...plain, family: 'shop web' }),
      message: /family: expected 1 to 255 letters, digits, hyphens or underscores$/,
    },
    { name: 'no containers', text: JSON.stringify({ ...plain, containerDefinitions: [] }), message: /containerDefinitions: is required/ },
    {
      name: 'a container without a name',
      text: JSON.stringify({ ...plain, containerDefinitions: [{ name: 'web', image: 'x' }, { image: 'x' }] }),
      message: /containerDefinitions\.1\.name: is required \(string\)$/,
    },
  ])('refuses $name, naming the input', ({ text, message }) => {
    const error = thrown(() => parseTaskDefinitionFile(text, 'td.json'));
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).message).toMatch(message);
    expect(error).toMatchObject({ input: 'task-definition', unchanged: 'nothing was registered or deployed' });
  });

  it('names the environment-file key the path came from', () => {
    expect(() => parseTaskDefinitionFile('[]', 'td.json', { key: 'environments.prod.ecs.task-definition' })).toThrow(
      /^environments\.prod\.ecs\.task-definition: td\.json:1: must hold/,
    );
  });
});

describe('task definitions as people write them', () => {
  // Trimmed from `aws ecs register-task-definition --generate-cli-skeleton`, half filled in, as
  // people commit it: the empty strings ECS rejects (pidMode "" is not task or host) are dropped.
  const skeleton = `{
    "family": "shop-web",
    "taskRoleArn": "",
    "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    "networkMode": "awsvpc",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "",
            "repositoryCredentials": { "credentialsParameter": "" },
            "memory": 512,
            "links": [""],
            "portMappings": [{ "containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "", "appProtocol": "" }],
            "essential": true,
            "environment": [{ "name": "", "value": "" }, { "name": "FEATURE_FLAGS", "value": "" }],
            "hostname": "",
            "user": "",
            "workingDirectory": "",
            "dockerLabels": { "team": "" },
            "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "/ecs/shop-web" }, "secretOptions": [] }
        }
    ],
    "volumes": [],
    "placementConstraints": [],
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "pidMode": "",
    "ipcMode": "",
    "proxyConfiguration": { "containerName": "", "properties": [{ "name": "", "value": "" }] }
}`;

  it('drops the empty values of a skeleton, keeping an environment variable set to empty and a label without value', () => {
    const { input, dropped } = readTaskDefinitionFile(skeleton, 'td.json');
    expect(input).not.toHaveProperty('pidMode');
    expect(input).not.toHaveProperty('ipcMode');
    expect(input).not.toHaveProperty('taskRoleArn');
    const web = input.containerDefinitions?.[0];
    expect(web).not.toHaveProperty('hostname');
    expect(web).not.toHaveProperty('repositoryCredentials');
    expect(web?.environment).toEqual([{ name: 'FEATURE_FLAGS', value: '' }]);
    expect(web?.dockerLabels).toEqual({ team: '' });
    expect(web?.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    expect(dropped).toEqual(
      expect.arrayContaining([
        'taskRoleArn',
        'pidMode',
        'ipcMode',
        'volumes',
        'containerDefinitions.0.hostname',
        'containerDefinitions.0.environment.0',
      ]),
    );
    expect(input).not.toHaveProperty('proxyConfiguration');
  });

  it('reads YAML, a byte-order mark and tab-indented JSON alike', () => {
    const yaml = `family: shop-web
memory: "512"
containerDefinitions:
  - name: web
    image: ${oldImage}
    portMappings:
      - containerPort: 8080
`;
    const json = JSON.stringify(
      {
        family: 'shop-web',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: oldImage, portMappings: [{ containerPort: 8080 }] }],
      },
      null,
      '\t',
    );
    const expected = parseTaskDefinitionFile(yaml, 'td.yaml');
    expect(expected.containerDefinitions?.[0]?.portMappings).toEqual([{ containerPort: 8080 }]);
    expect(parseTaskDefinitionFile(`\uFEFF${json}`, 'td.json')).toEqual(expected);
    expect(parseTaskDefinitionFile(json, 'td.json')).toEqual(expected);
  });

  it('takes task-level cpu and memory written as numbers, as the strings ECS wants', () => {
    const input = parseTaskDefinitionFile(JSON.stringify({ ...plain, cpu: 256, memory: 512 }), 'td.json');
    expect(input).toMatchObject({ cpu: '256', memory: '512' });
  });

  const lines = (td: object) => JSON.stringify(td, null, 2);
  it.each([
    [
      'pidMode not one ECS knows',
      { ...plain, pidMode: 'container' },
      /td\.json:\d+: pidMode: expected "host", "task", got the string "container"$/,
    ],
    [
      'networkMode in capitals',
      { ...plain, networkMode: 'AWSVPC' },
      /networkMode: expected "bridge", "host", "awsvpc", "none", got the string "AWSVPC"/,
    ],
    [
      'a protocol in capitals',
      { ...plain, containerDefinitions: [{ name: 'web', image: oldImage, portMappings: [{ containerPort: 80, protocol: 'TCP' }] }] },
      /containerDefinitions\.0\.portMappings\.0\.protocol: expected "tcp", "udp", got the string "TCP"/,
    ],
    [
      'a port as a string',
      { ...plain, containerDefinitions: [{ name: 'web', image: oldImage, portMappings: [{ containerPort: '80' }] }] },
      /containerPort: expected number, got the string "80"$/,
    ],
    [
      'a typo in a container key',
      { ...plain, containerDefinitions: [{ name: 'web', image: oldImage, portMapping: [{ containerPort: 80 }] }] },
      /containerDefinitions\.0: unknown key "portMapping"$/,
    ],
    [
      'FARGATE without awsvpc',
      { ...plain, networkMode: 'bridge', requiresCompatibilities: ['FARGATE'], cpu: '256' },
      /networkMode: FARGATE needs networkMode awsvpc/,
    ],
    [
      'no memory anywhere (EC2)',
      { family: 'shop-web', containerDefinitions: [{ name: 'web', image: oldImage }] },
      /containerDefinitions\.0\.name: container web needs memory or memoryReservation, since the task sets no memory$/,
    ],
    [
      'a dependency on a container that is not there',
      { ...plain, containerDefinitions: [{ name: 'web', image: oldImage, dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' }] }] },
      /dependsOn\.0\.containerName: no container is named envoy$/,
    ],
    [
      'a mount of a volume that is not there',
      {
        ...plain,
        containerDefinitions: [{ name: 'web', image: oldImage, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }],
      },
      /mountPoints\.0\.sourceVolume: no volume is named data$/,
    ],
    [
      'two containers with one name',
      {
        ...plain,
        containerDefinitions: [
          { name: 'web', image: oldImage },
          { name: 'web', image: oldImage },
        ],
      },
      /containerDefinitions\.1\.name: a second container named web$/,
    ],
    [
      "ephemeral storage below 21 GiB (the skeleton's 0)",
      { ...plain, ephemeralStorage: { sizeInGiB: 0 } },
      /ephemeralStorage\.sizeInGiB: /,
    ],
    [
      'a role that is neither ARN nor name',
      { ...plain, taskRoleArn: 'arn:aws:iam::12:role/x' },
      /taskRoleArn: expected an IAM role ARN or name$/,
    ],
  ])('refuses %s, naming the key and its line', (_, td, message) => {
    const error = thrown(() => parseTaskDefinitionFile(lines(td), 'td.json'));
    expect((error as ExpeditorError).message).toMatch(message);
    expect(error).toMatchObject({ input: 'task-definition' });
  });

  it('names the line of the key, in JSON and in describe output', () => {
    const td = { taskDefinition: { ...plain, pidMode: 'container' }, tags: [] };
    const text = lines(td);
    const line = text.split('\n').findIndex((l) => l.includes('"pidMode"')) + 1;
    expect(() => parseTaskDefinitionFile(text, 'td.json')).toThrow(
      `td.json:${line}: pidMode: expected "host", "task", got the string "container"`,
    );
  });

  it('refuses a key given twice (JSON.parse would keep the last silently)', () => {
    expect(() => parseTaskDefinitionFile('{\n"family": "a",\n"family": "b",\n"containerDefinitions": []\n}', 'td.json')).toThrow(
      'td.json:3: the key "family" appears twice in one map',
    );
  });
});

describe('stripReadOnly', () => {
  it('keeps what RegisterTaskDefinition takes and drops nulls', () => {
    expect(
      stripReadOnly({ family: 'f', revision: 3, status: 'ACTIVE', taskRoleArn: undefined, containerDefinitions: [{ name: 'a' }] }, []),
    ).toEqual({ family: 'f', containerDefinitions: [{ name: 'a' }] });
  });
});

const base = (): RenderOptions => ({
  image: newImage,
  container: undefined,
  containerOrigin: { input: 'container' },
  vars: {},
  secrets: {},
  secretsOrigin: { input: 'secrets' },
});
const template = (): TaskDefinitionInput => parseTaskDefinitionFile(described, 'td.json');
const sidecars = (): TaskDefinitionInput => ({
  family: 'shop-web',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [
    { name: 'envoy', image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.4.0-prod' },
    { name: 'web', image: `${registry}/shop-web:1.4.2`, portMappings: [{ containerPort: 8080 }, { containerPort: 9090 }] },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
  ],
});

describe('renderTaskDefinition', () => {
  it.each([
    {
      name: 'the image by digest on the only container',
      template: template(),
      options: {},
      container: 'web',
      image: newImage,
      changes: [`container web: image ${oldImage} → ${newImage}`],
    },
    {
      name: 'the container running this repository, among sidecars',
      template: sidecars(),
      options: {},
      container: 'web',
      image: newImage,
      changes: [`container web: image ${registry}/shop-web:1.4.2 → ${newImage}`],
    },
    {
      name: 'the container named',
      template: sidecars(),
      options: { container: 'log-router' },
      container: 'log-router',
      image: newImage,
      changes: [`container log-router: image public.ecr.aws/aws-observability/aws-for-fluent-bit:stable → ${newImage}`],
    },
    {
      name: 'variables: one changed, one added, one the same',
      template: template(),
      options: { vars: { NODE_ENV: 'staging', FEATURE_CHECKOUT_V2: 'on' } },
      container: 'web',
      environment: [
        { name: 'NODE_ENV', value: 'staging' },
        { name: 'FEATURE_CHECKOUT_V2', value: 'on' },
      ],
      changes: [
        `container web: image ${oldImage} → ${newImage}`,
        'container web: environment NODE_ENV changed',
        'container web: environment FEATURE_CHECKOUT_V2 added',
      ],
    },
    {
      name: 'a variable that was a secret replaces the secret',
      template: template(),
      options: { vars: { DB_PASSWORD: 'local-only' } },
      container: 'web',
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'DB_PASSWORD', value: 'local-only' },
      ],
      secrets: [],
    },
    {
      name: 'secrets: one replaced, one added; a variable of the same name removed',
      template: template(),
      options: {
        secrets: { DB_PASSWORD: `${dbSecret}:password::`, NODE_ENV: 'arn:aws:ssm:us-west-2:123456789012:parameter/shop/node-env' },
      },
      container: 'web',
      environment: [],
      secrets: [
        { name: 'DB_PASSWORD', valueFrom: `${dbSecret}:password::` },
        { name: 'NODE_ENV', valueFrom: 'arn:aws:ssm:us-west-2:123456789012:parameter/shop/node-env' },
      ],
    },
  ])('sets $name', ({ template: input, options, container, image, environment, secrets, changes }) => {
    const before = structuredClone(input);
    const rendered = renderTaskDefinition(input, { ...base(), ...(options as Partial<RenderOptions>) });
    expect(rendered.container).toBe(container);
    const def = rendered.input.containerDefinitions?.find((c) => c.name === container);
    expect(def?.image).toBe(image ?? newImage);
    if (environment) expect(def?.environment).toEqual(environment);
    if (secrets) expect(def?.secrets).toEqual(secrets);
    if (changes) expect(rendered.changes).toEqual(changes);
    // The other containers and the template itself are left as they were.
    for (const other of rendered.input.containerDefinitions ?? [])
      if (other.name !== container) expect(other).toEqual(before.containerDefinitions?.find((c) => c.name === other.name));
    expect(input).toEqual(before);
  });

  it('records the image it replaced', () => {
    expect(renderTaskDefinition(template(), base()).previousImage).toBe(oldImage);
  });

  it.each([
    {
      name: 'a container that is not there',
      template: sidecars(),
      options: { container: 'api' },
      message: `input 'container': the task definition has no container "api" (have: envoy, web, log-router)`,
      input: 'container',
    },
    {
      name: 'several containers and none of this repository',
      template: sidecars(),
      options: { image: `${registry}/shop-api@${digest('3')}` },
      message: `input 'container': the task definition has 3 containers (envoy, web, log-router) and none runs ${registry}/shop-api; name the one to update`,
      input: 'container',
    },
    {
      name: 'several containers of this repository',
      template: {
        ...sidecars(),
        containerDefinitions: [
          { name: 'web', image: `${registry}/shop-web:1` },
          { name: 'worker', image: `${registry}/shop-web:1` },
        ],
      },
      options: {},
      message: `and several run ${registry}/shop-web; name the one to update`,
      input: 'container',
    },
    {
      name: 'a name given both as variable and secret',
      template: template(),
      options: { vars: { TOKEN: 'x' }, secrets: { TOKEN: dbSecret } },
      message: "input 'secrets': TOKEN is given both as a variable and as a secret",
      input: 'secrets',
    },
    {
      name: 'secrets without an execution role',
      template: { ...template(), executionRoleArn: undefined },
      options: { secrets: { API_KEY: dbSecret }, secretsOrigin: { key: 'environments.prod.secrets' } },
      message: 'environments.prod.secrets: the task definition (family shop-web) has no executionRoleArn, which ECS needs to read secrets',
      input: undefined,
    },
  ])('refuses $name', ({ template: input, options, message, input: named }) => {
    const error = thrown(() => renderTaskDefinition(input, { ...base(), ...(options as Partial<RenderOptions>) }));
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).message).toContain(message);
    expect((error as ExpeditorError).input).toBe(named);
  });
});

describe('containerPorts', () => {
  it.each([
    { container: 'web', ports: [8080, 9090] },
    { container: 'envoy', ports: [] },
    { container: 'missing', ports: [] },
  ])('$container → $ports', ({ container, ports }) => {
    expect(containerPorts(sidecars(), container)).toEqual(ports);
  });
});
