import { describe, expect, it } from 'vitest';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { ProblemsError } from '../../packages/shared/src/errors.ts';
import { k8sName, roleArn } from '../../packages/shared/src/patterns.ts';

const inputsOf = (values: Record<string, string>) => new ActionInputs(inputEnv(values));

describe('the input layer', () => {
  it('reads values the way the runner passes them, trimmed, with defaults', () => {
    const inputs = inputsOf({ cluster: '  prod-cluster \n', 'wait-until': 'ready' });
    expect(inputs.string('cluster', { required: true })).toBe('prod-cluster');
    expect(inputs.choice('wait-until', ['succeeded', 'ready'] as const, 'succeeded')).toBe('ready');
    expect(inputs.string('namespace', { default: 'default' })).toBe('default');
    expect(inputs.duration('timeout', '30m')).toBe(30 * 60_000);
    expect(inputs.boolean('force', false)).toBe(false);
    inputs.done('test');
  });

  it('reports every problem at once, each naming its input, the first missing one first', () => {
    const inputs = inputsOf({ timeout: 'soon', force: 'maybe', namespace: 'Bad_Name' });
    inputs.string('image', { required: true });
    inputs.duration('timeout', '10m');
    inputs.boolean('force', false);
    inputs.string('namespace', { pattern: k8sName, expected: 'a Kubernetes name' });
    const error = catchError(() => inputs.done('deploy-eks'));
    expect(error).toBeInstanceOf(ProblemsError);
    const problems = (error as ProblemsError).problems.map((p) => p.message);
    expect(problems).toEqual([
      "input 'image': is required but was not given",
      'input \'timeout\': expected a duration such as 30m, 90s or 1h30m, got "soon"',
      'input \'force\': expected true or false, got "maybe"',
      'input \'namespace\': expected a Kubernetes name, got "Bad_Name"',
    ]);
    expect((error as ProblemsError).input).toBe('image');
  });

  it('refuses values that could inject a workflow command or a second line', () => {
    const inputs = inputsOf({
      environment: 'prod\n::set-output name=x::y',
      service: '::warning::hi',
      tags: 'a,b\u0007',
    });
    inputs.string('environment');
    inputs.string('service');
    inputs.list('tags');
    const problems = (catchError(() => inputs.done('t')) as ProblemsError).problems.map((p) => p.message);
    expect(problems).toEqual([
      "input 'environment': must be a single line",
      "input 'service': must not contain a workflow command ('::')",
      "input 'tags': contains a control character",
    ]);
  });

  it('quotes a bad value without letting it form a workflow command in the error', () => {
    const inputs = inputsOf({ 'role-arn': 'arn:aws:iam::12345:role/x' });
    inputs.string('role-arn', { pattern: roleArn, expected: 'a role ARN' });
    const message = (catchError(() => inputs.done('t')) as Error).message;
    expect(message).toContain("input 'role-arn': expected a role ARN");
    expect(message).not.toContain('::');
  });

  it('parses KEY=VALUE lines and lists', () => {
    const inputs = inputsOf({ 'build-args': 'A=1\nB = two=2\n', 'extra-tags': 'latest, stable\nv1' });
    expect(inputs.keyValues('build-args')).toEqual({ A: '1', B: ' two=2' });
    expect(inputs.list('extra-tags')).toEqual(['latest', 'stable', 'v1']);
    inputs.done('t');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
