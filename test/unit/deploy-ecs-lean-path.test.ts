// deploy-ecs given a cluster and a service (no environment file, no task definition file, no
// AppSpec) sends its first request without loading the YAML parser or the schemas: they are the
// largest code before that request (bench/startup.bench.ts measures the time). Checked on the
// sources' static imports, the graph the bundler follows into the chunks loaded before the request.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Modules and packages `entry` loads through static imports (type-only imports and `import()` left out). */
function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s+'([^']+)'/gms)) {
      const clause = m[1] ?? '';
      const specifier = m[2] ?? '';
      // `import { type A, type B } from` loads nothing at run time.
      if (
        /^\{[^}]*\}$/s.test(clause) &&
        clause
          .slice(1, -1)
          .split(',')
          .every((n) => /^\s*(type\s|$)/.test(n))
      )
        continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (specifier.startsWith('@expeditor/')) {
        const [, pkg, sub] = specifier.split('/');
        visit(join(root, 'packages', pkg ?? '', 'src', `${sub}.ts`));
      } else if (!specifier.startsWith('node:'))
        packages.add(specifier.startsWith('@') ? specifier : (specifier.split('/')[0] ?? specifier));
    }
  };
  visit(entry);
  return { files, packages };
}

const src = (file: string) => join(root, 'actions/deploy-ecs/src', file);

describe('deploy-ecs: the code before the first request', () => {
  it('main.ts and the step it loads once the inputs are valid import neither yaml nor zod', () => {
    const before = [staticClosure(src('main.ts')), staticClosure(src('step.ts'))];
    const packages = new Set(before.flatMap((c) => [...c.packages]));
    expect(packages).not.toContain('yaml');
    expect(packages).not.toContain('zod');
    // The plan's files are read through modules loaded on demand.
    const files = new Set(before.flatMap((c) => [...c.files]));
    expect(files).toContain(src('plan.ts'));
    expect(files).not.toContain(src('task-definition-file.ts'));
  });

  it('the parsers the plan loads on demand do import them (the check sees through the graph)', () => {
    expect([...staticClosure(src('task-definition-file.ts')).packages]).toEqual(expect.arrayContaining(['yaml', 'zod']));
    expect([...staticClosure(join(root, 'packages/shared/src/config.ts')).packages]).toContain('yaml');
  });
});
