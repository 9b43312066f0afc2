// A task definition file read and checked as ECS checks it: JSON or YAML, RegisterTaskDefinition
// input or `aws ecs describe-task-definition` output. Its own module because the parser and the
// schema are the largest code deploy-ecs loads: only a deploy that reads a file loads them.
import type { Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { type Origin, ProblemsError } from '@expeditor/shared/errors';
import { kindOf, parseStructured, schemaProblems, type StructuredProblem } from '@expeditor/shared/structured-file';
import { crossChecks, dropEmpty, taskDefinitionSchema } from './task-definition-schema.ts';
import { isObject, problem, readOnlyKeys, stripReadOnly, type TaskDefinitionInput } from './task-definition.ts';

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
