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
import { type ExpeditorError, originError, ProblemsError, type Origin } from '@expeditor/shared/errors';
import { kindOf, parseStructured, schemaProblems, type StructuredProblem } from '@expeditor/shared/structured-file';
import { crossChecks, dropEmpty, taskDefinitionSchema } from './task-definition-schema.ts';
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
const readOnlyKeys = new Set([
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

function problem(origin: Origin, message: string, next?: string): ExpeditorError {
  return originError(origin, message, { unchanged: 'nothing was registered or deployed', next });
}

/**
 * Parses a task definition file, JSON or YAML: the input RegisterTaskDefinition takes, a described
 * one (read-only fields are dropped) or `aws ecs describe-task-definition` output ({taskDefinition,
 * tags}). Empty values ECS rejects are dropped (and named in `dropped`); then the task definition
 * is checked as ECS checks it, every problem with its key and line.
 */
export function readTaskDefinitionFile(
  text: string,
  file: string,
  origin: Origin = { input: 'task-definition' },
  keepEmpty: readonly string[] = [],
): { input: TaskDefinitionInput; dropped: string[] } {
  const fail = (problems: StructuredProblem[]): never => {
    const errors = problems.map((p) =>
      problem(origin, `${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`, 'fix the task definition file'),
    );
    if (errors.length === 1) throw errors[0];
    throw new ProblemsError(`${file} has ${errors.length} problems`, errors);
  };
  const parsed = parseStructured(text);
  if (!parsed.document) return fail(parsed.problems);
  const { lineOf } = parsed.document;
  let data = parsed.document.data;
  if (!isObject(data)) return fail([{ path: '', message: `must hold an object (a task definition), got ${kindOf(data)}`, line: 1 }]);
  let tags: unknown;
  let prefix: string[] = [];
  if (isObject(data.taskDefinition) && !('containerDefinitions' in data)) {
    // `$metadata` is what the SDK adds when a script saves its answer: request ids, nothing to deploy.
    const extra = Object.keys(data).filter((k) => k !== 'taskDefinition' && k !== 'tags' && k !== '$metadata');
    if (extra.length > 0) {
      return fail([
        {
          path: extra[0] ?? '',
          message: 'unknown key beside taskDefinition (describe-task-definition output has taskDefinition and tags)',
          line: lineOf([extra[0] ?? '']),
        },
      ]);
    }
    tags = data.tags;
    data = data.taskDefinition;
    prefix = ['taskDefinition'];
  }
  const at = (path: readonly PropertyKey[]) => lineOf([...prefix, ...path]);
  const withoutReadOnly = Object.fromEntries(Object.entries(data as Record<string, unknown>).filter(([k]) => !readOnlyKeys.has(k)));
  const { value, dropped } = dropEmpty(withoutReadOnly, new Set(keepEmpty));
  const result = taskDefinitionSchema.safeParse(value, { reportInput: true });
  if (!result.success) return fail(schemaProblems(result.error.issues, at));
  const cross = crossChecks(result.data);
  if (cross.length > 0) return fail(cross.map((c) => ({ path: c.path.join('.'), message: c.message, line: at(c.path) })));
  const checked = result.data as Record<string, unknown>;
  // ECS takes task-level cpu and memory as strings.
  for (const key of ['cpu', 'memory']) if (typeof checked[key] === 'number') checked[key] = String(checked[key]);
  return { input: stripReadOnly(checked as TaskDefinition, Array.isArray(tags) ? (tags as Tag[]) : undefined), dropped };
}

export function parseTaskDefinitionFile(text: string, file: string, origin: Origin = { input: 'task-definition' }): TaskDefinitionInput {
  return readTaskDefinitionFile(text, file, origin).input;
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The port mappings of a container, for the AppSpec's ContainerPort. */
export function containerPorts(input: TaskDefinitionInput, container: string): number[] {
  const found = input.containerDefinitions?.find((c) => c.name === container);
  return (found?.portMappings ?? []).map((p) => p.containerPort).filter((p): p is number => typeof p === 'number');
}
