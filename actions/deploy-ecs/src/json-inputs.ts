// The JSON inputs deploy-ecs shares with aws-actions/amazon-ecs-deploy-task-definition (container
// overrides, a capacity provider strategy, a managed EBS volume, tags), checked as ECS checks them
// before any request: a problem names the input and the path in it (`[0].command`), unknown keys
// are refused (the SDK would drop a typo), and a one-off task's command can be a plain line.
// Hand-written shapes rather than zod: this runs before the heavy modules load.
import type { ActionInputs } from '@expeditor/shared/inputs';
import { quote, unsafeValueProblem } from '@expeditor/shared/inputs';
import { roleArn } from '@expeditor/shared/patterns';

export interface KeyValue {
  name: string;
  value: string;
}

export interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: KeyValue[];
  environmentFiles?: { value: string; type: 's3' }[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  resourceRequirements?: { type: 'GPU' | 'InferenceAccelerator'; value: string }[];
}

export interface CapacityProviderItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

export interface Tag {
  key: string;
  value: string;
}

export interface ManagedEbsVolume {
  roleArn: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  volumeType?: string;
  sizeInGiB?: number;
  snapshotId?: string;
  volumeInitializationRate?: number;
  iops?: number;
  throughput?: number;
  tagSpecifications?: { resourceType: 'volume'; tags?: Tag[]; propagateTags?: 'TASK_DEFINITION' | 'SERVICE' | 'NONE' }[];
  filesystemType?: 'ext3' | 'ext4' | 'xfs' | 'ntfs';
}

export interface TaskEbsVolume extends ManagedEbsVolume {
  terminationPolicy?: { deleteOnTermination: boolean };
}

/** One shape check: pushes "path: message" for each problem, returns whether the value fits. */
type Shape = (value: unknown, path: string, out: string[]) => boolean;

const kind = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'string'
        ? `the string ${quote(value)}`
        : typeof value === 'object'
          ? 'an object'
          : `${typeof value} ${String(value)}`;

const at = (path: string, out: string[], message: string): false => {
  out.push(path ? `${path}: ${message}` : message);
  return false;
};

const string =
  (pattern?: RegExp, expected?: string): Shape =>
  (v, path, out) => {
    if (typeof v !== 'string') return at(path, out, `expected a string, got ${kind(v)}`);
    if (v === '') return at(path, out, 'must not be empty');
    const unsafe = unsafeValueProblem(v);
    if (unsafe) return at(path, out, unsafe);
    if (pattern && !pattern.test(v)) return at(path, out, `expected ${expected ?? `a value matching ${pattern}`}, got ${quote(v)}`);
    return true;
  };

const anyString: Shape = (v, path, out) => {
  if (typeof v !== 'string') return at(path, out, `expected a string, got ${kind(v)}`);
  const unsafe = unsafeValueProblem(v);
  return unsafe ? at(path, out, unsafe) : true;
};

const integer =
  (min: number, max: number): Shape =>
  (v, path, out) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return at(path, out, `expected a whole number, got ${kind(v)}`);
    if (v < min || v > max) return at(path, out, `must be between ${min} and ${max}, got ${v}`);
    return true;
  };

const boolean: Shape = (v, path, out) => (typeof v === 'boolean' ? true : at(path, out, `expected true or false, got ${kind(v)}`));

const oneOf =
  (values: readonly string[]): Shape =>
  (v, path, out) =>
    typeof v === 'string' && values.includes(v) ? true : at(path, out, `expected one of ${values.join(', ')}, got ${kind(v)}`);

const list =
  (item: Shape, options: { min?: number; max?: number } = {}): Shape =>
  (v, path, out) => {
    if (!Array.isArray(v)) return at(path, out, `expected a list, got ${kind(v)}`);
    if (options.min !== undefined && v.length < options.min) return at(path, out, `needs at least ${options.min} item(s)`);
    if (options.max !== undefined && v.length > options.max) return at(path, out, `takes at most ${options.max} items, got ${v.length}`);
    let ok = true;
    v.forEach((e, i) => {
      ok = item(e, `${path}[${i}]`, out) && ok;
    });
    return ok;
  };

/** An object with these keys (required ones first in `required`); unknown keys are refused. */
const object =
  (fields: Record<string, Shape>, required: readonly string[] = []): Shape =>
  (v, path, out) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return at(path, out, `expected an object, got ${kind(v)}`);
    const record = v as Record<string, unknown>;
    let ok = true;
    const unknown = Object.keys(record).filter((k) => !(k in fields));
    if (unknown.length > 0) {
      ok = at(
        path,
        out,
        `unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => quote(k)).join(', ')} (have: ${Object.keys(fields).join(', ')})`,
      );
    }
    for (const key of required) {
      if (record[key] === undefined) ok = at(path ? `${path}.${key}` : key, out, 'is required');
    }
    for (const [key, shape] of Object.entries(fields)) {
      if (record[key] !== undefined) ok = shape(record[key], path ? `${path}.${key}` : key, out) && ok;
    }
    return ok;
  };

const tag = object({ key: string(/^[\s\S]{1,128}$/, 'a tag key of at most 128 characters'), value: anyString }, ['key', 'value']);
const keyValue = object({ name: string(/^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/, 'a variable name'), value: anyString }, ['name', 'value']);

const containerOverride = object(
  {
    name: string(/^[A-Za-z0-9_-]{1,255}$/, 'a container name'),
    command: list(anyString),
    environment: list(keyValue),
    environmentFiles: list(
      object({ value: string(/^arn:aws[a-z-]*:s3:::\S+$/, 'an S3 object ARN'), type: oneOf(['s3']) }, ['value', 'type']),
    ),
    cpu: integer(0, 196_608),
    memory: integer(1, 8_388_608),
    memoryReservation: integer(1, 8_388_608),
    resourceRequirements: list(object({ type: oneOf(['GPU', 'InferenceAccelerator']), value: string() }, ['type', 'value'])),
  },
  ['name'],
);

const capacityProviderItem = object(
  {
    capacityProvider: string(/^[A-Za-z0-9_-]{1,255}$/, 'a capacity provider name'),
    weight: integer(0, 1000),
    base: integer(0, 100_000),
  },
  ['capacityProvider'],
);

export const volumeTypes = ['gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1', 'standard'] as const;

const ebsVolumeFields = {
  roleArn: string(roleArn, 'an IAM role ARN (the ECS infrastructure role)'),
  encrypted: boolean,
  kmsKeyId: string(),
  volumeType: oneOf(volumeTypes),
  sizeInGiB: integer(1, 65_536),
  snapshotId: string(/^snap-[0-9a-f]{8,17}$/, 'an EBS snapshot id (snap-…)'),
  volumeInitializationRate: integer(100, 300),
  iops: integer(100, 256_000),
  throughput: integer(125, 2000),
  tagSpecifications: list(
    object(
      { resourceType: oneOf(['volume']), tags: list(tag, { max: 50 }), propagateTags: oneOf(['TASK_DEFINITION', 'SERVICE', 'NONE']) },
      ['resourceType'],
    ),
  ),
  filesystemType: oneOf(['ext3', 'ext4', 'xfs', 'ntfs']),
};
const managedEbsVolume = object(ebsVolumeFields, ['roleArn']);
/** A one-off task's volume (RunTask's TaskManagedEBSVolumeConfiguration) also says whether it outlives the task. */
const taskEbsVolume = object({ ...ebsVolumeFields, terminationPolicy: object({ deleteOnTermination: boolean }, ['deleteOnTermination']) }, [
  'roleArn',
]);

/** ECS's own rules across the fields of a managed EBS volume (the single fields are checked above). */
function ebsVolumeRules(volume: ManagedEbsVolume): string[] {
  const problems: string[] = [];
  const type = volume.volumeType ?? 'gp3';
  if (volume.throughput !== undefined && type !== 'gp3') problems.push(`throughput: applies to gp3 volumes only (volumeType is ${type})`);
  if (volume.iops !== undefined && !['gp3', 'io1', 'io2'].includes(type)) {
    problems.push(`iops: applies to gp3, io1 and io2 volumes only (volumeType is ${type})`);
  }
  if ((type === 'io1' || type === 'io2') && volume.iops === undefined) problems.push(`iops: is required for ${type} volumes`);
  if (volume.sizeInGiB === undefined && volume.snapshotId === undefined) {
    problems.push('sizeInGiB: is required unless a snapshotId gives the size');
  }
  if (volume.kmsKeyId !== undefined && volume.encrypted === false) problems.push('kmsKeyId: needs encrypted true');
  return problems;
}

/** The parsed JSON of an input, or undefined (with a problem) when it is empty or not JSON. */
function readJson(inputs: ActionInputs, name: string): unknown {
  const raw = inputs.raw(name);
  if (!raw) return undefined;
  const unsafe = unsafeValueProblem(raw, true);
  if (unsafe) return inputs.problem(name, unsafe);
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    return inputs.problem(name, `not valid JSON: ${(error as Error).message}`);
  }
}

function checked<T>(inputs: ActionInputs, name: string, shape: Shape, expected: string, rules?: (value: T) => string[]): T | undefined {
  const value = readJson(inputs, name);
  if (value === undefined) return undefined;
  const problems: string[] = [];
  if (!shape(value, '', problems)) {
    problems.slice(0, 8).forEach((problem, i) => {
      inputs.problem(name, problem, i === 0 ? `expected ${expected}` : undefined);
    });
    if (problems.length > 8) inputs.problem(name, `… and ${problems.length - 8} more problems`);
    return undefined;
  }
  const more = rules?.(value as T) ?? [];
  for (const problem of more) inputs.problem(name, problem);
  return more.length ? undefined : (value as T);
}

export function readContainerOverrides(inputs: ActionInputs, name: string): ContainerOverride[] | undefined {
  const overrides = checked<ContainerOverride[]>(
    inputs,
    name,
    list(containerOverride, { min: 1 }),
    'a JSON list of container overrides such as [{"name": "app", "command": ["npm", "run", "migrate"]}]',
    (value) => {
      const seen = new Set<string>();
      const problems: string[] = [];
      value.forEach((o, i) => {
        if (seen.has(o.name)) problems.push(`[${i}].name: a second override for container ${o.name}`);
        seen.add(o.name);
      });
      return problems;
    },
  );
  return overrides;
}

export function readCapacityProviderStrategy(inputs: ActionInputs, name: string): CapacityProviderItem[] | undefined {
  return checked<CapacityProviderItem[]>(
    inputs,
    name,
    list(capacityProviderItem, { min: 1, max: 20 }),
    'a JSON list such as [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]',
    (value) => {
      const problems: string[] = [];
      if (value.filter((c) => (c.base ?? 0) > 0).length > 1) problems.push('only one capacity provider may have a base');
      if (value.every((c) => (c.weight ?? 0) === 0)) problems.push('at least one capacity provider needs a weight above 0');
      return problems;
    },
  );
}

export function readTags(inputs: ActionInputs, name: string): Tag[] | undefined {
  return checked<Tag[]>(inputs, name, list(tag, { max: 50 }), 'a JSON list of tags such as [{"key": "team", "value": "shop"}]', (value) =>
    value.filter((t) => t.key.toLowerCase().startsWith('aws:')).map((t) => `${t.key}: tags under aws: are AWS's own and cannot be set`),
  );
}

export function readManagedEbsVolume(inputs: ActionInputs, name: string): ManagedEbsVolume | undefined {
  return checked<ManagedEbsVolume>(
    inputs,
    name,
    managedEbsVolume,
    'a JSON object such as {"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 20, "volumeType": "gp3"}',
    ebsVolumeRules,
  );
}

/** run-task-managed-ebs-volume: the one-off task's volume, as RunTask's volumeConfigurations take it. */
export function readTaskEbsVolume(inputs: ActionInputs, name: string): TaskEbsVolume | undefined {
  return checked<TaskEbsVolume>(
    inputs,
    name,
    taskEbsVolume,
    'a JSON object such as {"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 20, "terminationPolicy": {"deleteOnTermination": true}}',
    ebsVolumeRules,
  );
}

/**
 * A one-off task's command: a JSON list of strings, or one line split into words as a shell
 * would (single and double quotes group, a backslash escapes; nothing is expanded).
 */
export function readCommand(inputs: ActionInputs, name: string): string[] | undefined {
  const raw = inputs.raw(name);
  if (!raw) return undefined;
  if (raw.startsWith('[')) {
    const value = readJson(inputs, name);
    if (value === undefined) return undefined;
    const problems: string[] = [];
    if (!list(anyString, { min: 1 })(value, '', problems)) {
      for (const problem of problems) inputs.problem(name, problem, 'expected a JSON list of strings, or a command line');
      return undefined;
    }
    return value as string[];
  }
  const unsafe = unsafeValueProblem(raw);
  if (unsafe) return inputs.problem(name, unsafe);
  const words = splitWords(raw);
  if (typeof words === 'string') return inputs.problem(name, words);
  return words;
}

/** Shell-like words: quotes group, backslash escapes outside single quotes; an error text when unbalanced. */
export function splitWords(line: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  let quoteChar: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoteChar) {
      if (c === quoteChar) quoteChar = undefined;
      else if (c === '\\' && quoteChar === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i] as string;
      else word += c;
    } else if (c === '"' || c === "'") {
      quoteChar = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[++i] as string);
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quoteChar) return `unbalanced ${quoteChar} quote; write the command as a JSON list of strings if quoting gets in the way`;
  if (word !== undefined) words.push(word);
  return words;
}
