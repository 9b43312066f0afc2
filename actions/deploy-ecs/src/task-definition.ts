// The task definition to register: read from a file or taken from the service's current one
// (minus the fields ECS fills in itself), with the container's image set to the one deployed and
// the environment's variables and secret references merged in. Pure functions: no network.
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { type ExpeditorError, originError, type Origin } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { repositoryOf } from '@expeditor/shared/patterns';

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;

/** What RegisterTaskDefinition accepts. */
const registerKeys = new Set([
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
]);
/** What DescribeTaskDefinition returns but ECS sets itself; dropped so a described one registers again. */
export const readOnlyKeys = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
]);

export type { Origin };

export function problem(origin: Origin, message: string, next?: string): ExpeditorError {
  return originError(origin, message, { unchanged: 'nothing was registered or deployed', next });
}

/** A described task definition as RegisterTaskDefinition input. */
export function stripReadOnly(definition: TaskDefinition, tags?: Tag[]): TaskDefinitionInput {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(definition)) {
    if (registerKeys.has(key) && value !== undefined && value !== null) input[key] = value;
  }
  // Tags under aws: are AWS's own and cannot be set.
  const own = (tags ?? (input.tags as Tag[] | undefined) ?? []).filter((t) => t.key && !t.key.startsWith('aws:'));
  if (own.length > 0) input.tags = own;
  else delete input.tags;
  return input as unknown as TaskDefinitionInput;
}

export interface RenderOptions {
  image: string;
  /** The container to set the image on; chosen from the task definition when not given. */
  container: string | undefined;
  containerOrigin: Origin;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /** Where vars and secrets came from, for errors. */
  secretsOrigin: Origin;
}

export interface Rendered {
  input: TaskDefinitionInput;
  container: string;
  previousImage: string | undefined;
  /** One line per change made to the template, for the log. */
  changes: string[];
}

/** The task definition to register: image set, variables and secret references merged in. */
export function renderTaskDefinition(template: TaskDefinitionInput, options: RenderOptions): Rendered {
  const input = structuredClone(template);
  const containers = input.containerDefinitions ?? [];
  const container = pickContainer(containers, options);
  const changes: string[] = [];
  const previousImage = container.image;
  container.image = options.image;
  changes.push(`container ${container.name}: image ${previousImage ?? '(none)'} → ${options.image}`);
  const imageless = containers.filter((c) => !c.image).map((c) => c.name);
  if (imageless.length > 0) {
    throw problem(
      options.containerOrigin,
      `container ${imageless.join(', ')} of the task definition ${imageless.length === 1 ? 'has' : 'have'} no image, which ECS requires (only ${container.name} gets the deployed image)`,
      'give every other container its image in the task definition',
    );
  }

  const environment: KeyValuePair[] = [...(container.environment ?? [])];
  const secrets: Secret[] = [...(container.secrets ?? [])];
  for (const [name, value] of Object.entries(options.vars)) {
    if (name in options.secrets) {
      throw problem(options.secretsOrigin, `${name} is given both as a variable and as a secret`, 'keep one of them');
    }
    removeByName(secrets, name);
    const existing = environment.find((e) => e.name === name);
    if (existing) {
      if (existing.value !== value) changes.push(`container ${container.name}: environment ${name} changed`);
      existing.value = value;
    } else {
      environment.push({ name, value });
      changes.push(`container ${container.name}: environment ${name} added`);
    }
  }
  for (const [name, valueFrom] of Object.entries(options.secrets)) {
    removeByName(environment, name);
    const existing = secrets.find((s) => s.name === name);
    if (existing) existing.valueFrom = valueFrom;
    else secrets.push({ name, valueFrom });
    changes.push(`container ${container.name}: secret ${name} from ${valueFrom}`);
  }
  if (environment.length > 0 || container.environment) container.environment = environment;
  if (secrets.length > 0 || container.secrets) container.secrets = secrets;
  if (Object.keys(options.secrets).length > 0 && !input.executionRoleArn) {
    throw problem(
      options.secretsOrigin,
      `the task definition (family ${input.family}) has no executionRoleArn, which ECS needs to read secrets`,
      'set executionRoleArn in the task definition to a role that may read these secrets',
    );
  }
  return { input, container: container.name ?? '', previousImage, changes };
}

function pickContainer(containers: ContainerDefinition[], options: RenderOptions): ContainerDefinition {
  const names = containers.map((c) => c.name ?? '');
  if (options.container) {
    const found = containers.find((c) => c.name === options.container);
    if (!found) {
      throw problem(
        options.containerOrigin,
        `the task definition has no container ${quote(options.container)} (have: ${names.join(', ')})`,
      );
    }
    return found;
  }
  if (containers.length === 1 && containers[0]) return containers[0];
  // Several containers: the one already running an image of this repository.
  const repository = repositoryOf(options.image);
  const same = containers.filter((c) => c.image && repositoryOf(c.image) === repository);
  if (same.length === 1 && same[0]) return same[0];
  throw problem(
    { input: 'container' },
    `the task definition has ${containers.length} containers (${names.join(', ')}) and ${same.length === 0 ? 'none runs' : 'several run'} ${repository}; name the one to update`,
  );
}

function removeByName<T extends { name?: string | undefined }>(list: T[], name: string): void {
  const index = list.findIndex((e) => e.name === name);
  if (index >= 0) list.splice(index, 1);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The port mappings of a container, for the AppSpec's ContainerPort. */
export function containerPorts(input: TaskDefinitionInput, container: string): number[] {
  const found = input.containerDefinitions?.find((c) => c.name === container);
  return (found?.portMappings ?? []).map((p) => p.containerPort).filter((p): p is number => typeof p === 'number');
}
