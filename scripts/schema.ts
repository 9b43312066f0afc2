// Writes schema/expeditor.schema.json from the one schema in packages/shared (node scripts/schema.ts).
// `--check` fails when the committed file is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { configJsonSchema } from '../packages/shared/src/config-schema.ts';

const path = resolve(import.meta.dirname, '..', 'schema', 'expeditor.schema.json');
const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
    console.error('schema/expeditor.schema.json is out of date with packages/shared/src/config-schema.ts: run npm run schema');
    process.exit(1);
  }
} else {
  writeFileSync(path, text);
  console.log('wrote schema/expeditor.schema.json');
}
