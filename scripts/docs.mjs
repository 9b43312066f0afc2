// Writes each action's README.md from its action.yml, so the docs cannot drift from the inputs.
// A hand-written actions/<name>/docs/usage.md, when present, is included after the tables.
// `node scripts/docs.mjs` writes; `node scripts/docs.mjs --check` fails when a README is stale.
import { parse } from 'yaml';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
let stale = 0;

const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .trim();

for (const name of readdirSync(join(root, 'actions')).sort()) {
  const dir = join(root, 'actions', name);
  const file = join(dir, 'action.yml');
  if (!existsSync(file)) continue;
  const action = parse(readFileSync(file, 'utf8'));
  const inputs = Object.entries(action.inputs ?? {});
  const outputs = Object.entries(action.outputs ?? {});
  const example = inputs
    .filter(([, i]) => i.required)
    .map(([k]) => `    ${k}: …`)
    .join('\n');
  const usage = join(dir, 'docs', 'usage.md');
  const text = [
    `<!-- Generated from action.yml by \`npm run docs\`; edit action.yml or docs/usage.md instead. -->`,
    `# ${action.name}`,
    '',
    action.description,
    '',
    '```yaml',
    `- uses: ORG/expeditor/actions/${name}@v1`,
    ...(example ? ['  with:', example] : []),
    '```',
    '',
    '## Inputs',
    '',
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs.map(
      ([k, i]) =>
        `| \`${k}\` | ${i.required ? 'yes' : 'no'} | ${i.default !== undefined ? `\`${cell(i.default)}\`` : ''} | ${cell(i.description)} |`,
    ),
    '',
    '## Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs.map(([k, o]) => `| \`${k}\` | ${cell(o.description)} |`),
    '',
    `Runs on \`${action.runs.using}\` from \`${action.runs.main}\`.`,
    ...(existsSync(usage) ? ['', readFileSync(usage, 'utf8').trimEnd()] : []),
    '',
  ].join('\n');
  const readme = join(dir, 'README.md');
  const current = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.error(`actions/${name}/README.md is out of date with its action.yml: run npm run docs`);
    stale++;
  } else {
    writeFileSync(readme, text);
    console.log(`wrote actions/${name}/README.md`);
  }
}
if (stale) process.exit(1);
