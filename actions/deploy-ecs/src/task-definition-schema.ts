// What RegisterTaskDefinition accepts, as ECS checks it (shapes and enums from the ECS API
// reference), so a task definition ECS would reject is refused before anything is written, with
// the key and line. Unknown keys are refused too: a typo (`portMapping`) would otherwise be
// dropped by the SDK and the container would run without it.
import { z } from 'zod';

const text = z.string().min(1, { error: 'must not be empty' });
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().min(min).max(max);
const stringMap = z.record(z.string(), z.string());
const name255 = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'expected 1 to 255 letters, digits, hyphens or underscores' });
// ECS takes task-level cpu and memory as strings ("256", "1 vCPU", "2 GB"); a number is what
// people write, and means the same.
const units = z.union([
  z.string().regex(/^\d+(\.\d+)?\s*(vcpu|gb|mb)?$/i, { error: 'expected e.g. "256", "1 vCPU" or "2 GB"' }),
  z.int().min(1),
]);

const keyValue = z.strictObject({ name: text, value: z.string().optional() });
const secret = z.strictObject({ name: text, valueFrom: text });

const portMapping = z.strictObject({
  containerPort: int(0, 65535).optional(),
  hostPort: int(0, 65535).optional(),
  protocol: z.enum(['tcp', 'udp']).optional(),
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, { error: 'expected a port name: lowercase letters, digits and hyphens' })
    .optional(),
  appProtocol: z.enum(['http', 'http2', 'grpc']).optional(),
  containerPortRange: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, { error: 'expected a range such as 8000-8010' })
    .optional(),
});

const logConfiguration = z.strictObject({
  logDriver: z.enum(['awsfirelens', 'awslogs', 'fluentd', 'gelf', 'journald', 'json-file', 'splunk', 'syslog']),
  options: stringMap.optional(),
  secretOptions: z.array(secret).optional(),
});

const healthCheck = z.strictObject({
  command: z.array(z.string()).min(1),
  interval: int(5, 300).optional(),
  timeout: int(2, 120).optional(),
  retries: int(1, 10).optional(),
  startPeriod: int(0, 300).optional(),
});

const linuxParameters = z.strictObject({
  capabilities: z.strictObject({ add: z.array(text).optional(), drop: z.array(text).optional() }).optional(),
  devices: z
    .array(
      z.strictObject({
        hostPath: text,
        containerPath: text.optional(),
        permissions: z.array(z.enum(['read', 'write', 'mknod'])).optional(),
      }),
    )
    .optional(),
  initProcessEnabled: z.boolean().optional(),
  sharedMemorySize: int(1).optional(),
  tmpfs: z.array(z.strictObject({ containerPath: text, size: int(1), mountOptions: z.array(text).optional() })).optional(),
  maxSwap: int(0).optional(),
  swappiness: int(0, 100).optional(),
});

export const containerDefinitionSchema = z.strictObject({
  name: name255,
  image: z.string().max(1024).optional(),
  repositoryCredentials: z.strictObject({ credentialsParameter: text }).optional(),
  cpu: int(0).optional(),
  memory: int(1).optional(),
  memoryReservation: int(1).optional(),
  links: z.array(text).optional(),
  portMappings: z.array(portMapping).optional(),
  essential: z.boolean().optional(),
  restartPolicy: z
    .strictObject({
      enabled: z.boolean(),
      ignoredExitCodes: z.array(z.int()).max(50).optional(),
      restartAttemptPeriod: int(60, 1800).optional(),
    })
    .optional(),
  entryPoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  environment: z.array(keyValue).optional(),
  environmentFiles: z.array(z.strictObject({ value: text, type: z.enum(['s3']) })).optional(),
  mountPoints: z.array(z.strictObject({ sourceVolume: text, containerPath: text, readOnly: z.boolean().optional() })).optional(),
  volumesFrom: z.array(z.strictObject({ sourceContainer: text, readOnly: z.boolean().optional() })).optional(),
  linuxParameters: linuxParameters.optional(),
  secrets: z.array(secret).optional(),
  dependsOn: z.array(z.strictObject({ containerName: text, condition: z.enum(['START', 'COMPLETE', 'SUCCESS', 'HEALTHY']) })).optional(),
  startTimeout: int(2).optional(),
  stopTimeout: int(2, 120).optional(),
  versionConsistency: z.enum(['enabled', 'disabled']).optional(),
  hostname: text.optional(),
  user: text.optional(),
  workingDirectory: text.optional(),
  disableNetworking: z.boolean().optional(),
  privileged: z.boolean().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  dnsServers: z.array(text).optional(),
  dnsSearchDomains: z.array(text).optional(),
  extraHosts: z.array(z.strictObject({ hostname: text, ipAddress: text })).optional(),
  dockerSecurityOptions: z.array(text).optional(),
  interactive: z.boolean().optional(),
  pseudoTerminal: z.boolean().optional(),
  dockerLabels: stringMap.optional(),
  ulimits: z
    .array(
      z.strictObject({
        name: z.enum([
          'core',
          'cpu',
          'data',
          'fsize',
          'locks',
          'memlock',
          'msgqueue',
          'nice',
          'nofile',
          'nproc',
          'rss',
          'rtprio',
          'rttime',
          'sigpending',
          'stack',
        ]),
        softLimit: z.int(),
        hardLimit: z.int(),
      }),
    )
    .optional(),
  logConfiguration: logConfiguration.optional(),
  healthCheck: healthCheck.optional(),
  systemControls: z.array(z.strictObject({ namespace: text, value: z.string() })).optional(),
  resourceRequirements: z
    .array(z.strictObject({ value: text, type: z.enum(['GPU', 'InferenceAccelerator', 'NeuronDevice']), sharingStrategy: text.optional() }))
    .optional(),
  firelensConfiguration: z.strictObject({ type: z.enum(['fluentd', 'fluentbit']), options: stringMap.optional() }).optional(),
  credentialSpecs: z.array(text).optional(),
});

const authorization = z.strictObject({ accessPointId: text.optional(), iam: z.enum(['ENABLED', 'DISABLED']).optional() });
const volume = z.strictObject({
  name: name255,
  host: z.strictObject({ sourcePath: text.optional() }).optional(),
  dockerVolumeConfiguration: z
    .strictObject({
      scope: z.enum(['task', 'shared']).optional(),
      autoprovision: z.boolean().optional(),
      driver: text.optional(),
      driverOpts: stringMap.optional(),
      labels: stringMap.optional(),
    })
    .optional(),
  efsVolumeConfiguration: z
    .strictObject({
      fileSystemId: text,
      rootDirectory: text.optional(),
      transitEncryption: z.enum(['ENABLED', 'DISABLED']).optional(),
      transitEncryptionPort: int(1, 65535).optional(),
      authorizationConfig: authorization.optional(),
    })
    .optional(),
  fsxWindowsFileServerVolumeConfiguration: z
    .strictObject({
      fileSystemId: text,
      rootDirectory: text,
      authorizationConfig: z.strictObject({ credentialsParameter: text, domain: text }),
    })
    .optional(),
  configuredAtLaunch: z.boolean().optional(),
});

// A role is named by ARN or, for ECS, by name (it completes the ARN in the task's account).
const role = z
  .string()
  .regex(/^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$/, { error: 'expected an IAM role ARN or name' });

export const taskDefinitionSchema = z.strictObject({
  family: name255,
  taskRoleArn: role.optional(),
  executionRoleArn: role.optional(),
  networkMode: z.enum(['bridge', 'host', 'awsvpc', 'none']).optional(),
  containerDefinitions: z.array(containerDefinitionSchema).min(1, { error: 'must list at least one container' }).max(10, {
    error: 'ECS allows at most 10 containers in a task definition',
  }),
  volumes: z.array(volume).optional(),
  placementConstraints: z
    .array(z.strictObject({ type: z.enum(['memberOf']), expression: text.optional() }))
    .max(10)
    .optional(),
  requiresCompatibilities: z.array(z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'])).optional(),
  cpu: units.optional(),
  memory: units.optional(),
  tags: z
    .array(z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256).optional() }))
    .max(50)
    .optional(),
  pidMode: z.enum(['host', 'task']).optional(),
  ipcMode: z.enum(['host', 'task', 'none']).optional(),
  proxyConfiguration: z
    .strictObject({ type: z.enum(['APPMESH']).optional(), containerName: text, properties: z.array(keyValue).optional() })
    .optional(),
  inferenceAccelerators: z.array(z.strictObject({ deviceName: text, deviceType: text })).optional(),
  ephemeralStorage: z.strictObject({ sizeInGiB: int(21, 200) }).optional(),
  runtimePlatform: z
    .strictObject({
      cpuArchitecture: z.enum(['X86_64', 'ARM64']).optional(),
      operatingSystemFamily: z
        .enum([
          'LINUX',
          'WINDOWS_SERVER_2004_CORE',
          'WINDOWS_SERVER_2016_FULL',
          'WINDOWS_SERVER_2019_CORE',
          'WINDOWS_SERVER_2019_FULL',
          'WINDOWS_SERVER_2022_CORE',
          'WINDOWS_SERVER_2022_FULL',
          'WINDOWS_SERVER_2025_CORE',
          'WINDOWS_SERVER_2025_FULL',
          'WINDOWS_SERVER_20H2_CORE',
        ])
        .optional(),
    })
    .optional(),
  enableFaultInjection: z.boolean().optional(),
});

export type CheckedTaskDefinition = z.infer<typeof taskDefinitionSchema>;

/** Rules across keys that ECS enforces at registration; each problem with the path it is about. */
export function crossChecks(td: CheckedTaskDefinition): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const containers = td.containerDefinitions;
  const names = new Set<string>();
  containers.forEach((c, i) => {
    if (names.has(c.name)) problems.push({ path: ['containerDefinitions', i, 'name'], message: `a second container named ${c.name}` });
    names.add(c.name);
  });
  const volumes = new Set((td.volumes ?? []).map((v) => v.name));
  if (containers.every((c) => c.essential === false)) {
    problems.push({ path: ['containerDefinitions'], message: 'at least one container must be essential' });
  }
  const fargate = td.requiresCompatibilities?.includes('FARGATE') ?? false;
  if (fargate && td.networkMode !== 'awsvpc') {
    problems.push({ path: ['networkMode'], message: `FARGATE needs networkMode awsvpc, got ${td.networkMode ?? 'none set (bridge)'}` });
  }
  if (fargate && (td.cpu === undefined || td.memory === undefined)) {
    problems.push({ path: [td.cpu === undefined ? 'cpu' : 'memory'], message: 'FARGATE needs the task-level cpu and memory' });
  }
  containers.forEach((c, i) => {
    const at = (...rest: (string | number)[]) => ['containerDefinitions', i, ...rest];
    if (td.memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      problems.push({ path: at('name'), message: `container ${c.name} needs memory or memoryReservation, since the task sets no memory` });
    }
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
      problems.push({ path: at('memoryReservation'), message: `must not exceed memory (${c.memory})` });
    }
    c.dependsOn?.forEach((d, j) => {
      if (!names.has(d.containerName))
        problems.push({ path: at('dependsOn', j, 'containerName'), message: `no container is named ${d.containerName}` });
      if (d.containerName === c.name)
        problems.push({ path: at('dependsOn', j, 'containerName'), message: 'a container cannot depend on itself' });
    });
    c.volumesFrom?.forEach((v, j) => {
      if (!names.has(v.sourceContainer))
        problems.push({ path: at('volumesFrom', j, 'sourceContainer'), message: `no container is named ${v.sourceContainer}` });
    });
    c.mountPoints?.forEach((m, j) => {
      if (!volumes.has(m.sourceVolume))
        problems.push({ path: at('mountPoints', j, 'sourceVolume'), message: `no volume is named ${m.sourceVolume}` });
    });
    c.portMappings?.forEach((p, j) => {
      if (p.containerPort === undefined && p.containerPortRange === undefined) {
        problems.push({ path: at('portMappings', j), message: 'needs containerPort (or containerPortRange)' });
      }
      if (td.networkMode === 'awsvpc' && p.hostPort !== undefined && p.hostPort !== 0 && p.hostPort !== p.containerPort) {
        problems.push({
          path: at('portMappings', j, 'hostPort'),
          message: `with networkMode awsvpc must equal containerPort (${p.containerPort})`,
        });
      }
    });
  });
  if (td.proxyConfiguration && !names.has(td.proxyConfiguration.containerName)) {
    problems.push({
      path: ['proxyConfiguration', 'containerName'],
      message: `no container is named ${td.proxyConfiguration.containerName}`,
    });
  }
  const volumeNames = new Set<string>();
  (td.volumes ?? []).forEach((v, i) => {
    if (volumeNames.has(v.name)) problems.push({ path: ['volumes', i, 'name'], message: `a second volume named ${v.name}` });
    volumeNames.add(v.name);
  });
  return problems;
}

// `""` stays where it is a value someone meant: an environment variable set to empty, a label
// or option with no value. Everywhere else ECS rejects it (pidMode "" is not one of task, host).
const keepsEmptyStrings = new Set(['dockerLabels', 'options', 'driverOpts', 'labels']);

/**
 * Drops what the ECS API rejects or reads as "not set": null, empty strings (outside values
 * people mean as empty), empty lists and objects, as `--generate-cli-skeleton` files and
 * hand-edited ones carry them. Returns the cleaned copy and the dotted paths it dropped. A key in
 * `keep` (keep-null-value-keys, as amazon-ecs-deploy-task-definition takes it) keeps its empty
 * value wherever it stands; the checks that follow then judge it as ECS would.
 */
export function dropEmpty(value: unknown, keep: ReadonlySet<string> = new Set()): { value: unknown; dropped: string[] } {
  const dropped: string[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    const parent = path.at(-1);
    const grandparent = path.at(-3);
    if (typeof parent === 'string' && keep.has(parent) && v !== undefined) return v;
    if (v === null || v === undefined) return undefined;
    if (v === '') {
      const meant =
        (parent === 'value' && (grandparent === 'environment' || grandparent === 'properties')) ||
        keepsEmptyStrings.has(String(path.at(-2)));
      return meant ? v : undefined;
    }
    if (Array.isArray(v)) {
      const out = v.flatMap((e, i) => {
        const cleaned = walk(e, [...path, i]);
        if (cleaned === undefined) {
          dropped.push([...path, i].join('.'));
          return [];
        }
        return [cleaned];
      });
      return out.length === 0 ? undefined : out;
    }
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(v)) {
        const cleaned = walk(child, [...path, key]);
        if (cleaned === undefined) dropped.push([...path, key].join('.'));
        else out[key] = cleaned;
      }
      // An environment entry with no name (a skeleton's `{ "name": "", "value": "" }`) is no entry.
      const listOfPairs = path.at(-2) === 'environment' || path.at(-2) === 'properties';
      if (listOfPairs && out.name === undefined && (out.value ?? '') === '') return undefined;
      return Object.keys(out).length === 0 ? undefined : out;
    }
    return v;
  };
  const cleaned = walk(value, []) ?? {};
  // Name what was dropped at its top: `proxyConfiguration`, not each of its empty keys too.
  const shown = dropped.filter((p) => !dropped.some((q) => q !== p && p.startsWith(`${q}.`)));
  return { value: cleaned, dropped: shown };
}
