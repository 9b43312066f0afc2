// GitHub (and act) refuse an action whose metadata has an expression anywhere but an input's
// default: "expressions are not allowed here". A description showing `${{ … }}` broke every
// workflow that used build-image under act.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const actions = readdirSync(join(root, 'actions')).filter((a) => {
  try {
    readFileSync(join(root, 'actions', a, 'action.yml'));
    return true;
  } catch {
    return false;
  }
});

describe('action.yml', () => {
  it.each(actions)('%s has expressions only in input defaults', (action) => {
    const meta = parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8')) as Record<string, unknown>;
    const found: string[] = [];
    const walk = (value: unknown, path: string[]): void => {
      if (typeof value === 'string') {
        const isDefault = path[0] === 'inputs' && path[2] === 'default';
        if (value.includes('${{') && !isDefault) found.push(path.join('.'));
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      }
    };
    walk(meta, []);
    expect(found).toEqual([]);
  });
});
