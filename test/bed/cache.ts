// Where the bed's installed parts live: outside the repo, shared by every checkout,
// so a second install run finds everything and installs nothing.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

export const cacheDir = process.env.EXPEDITOR_CACHE ?? join(homedir(), '.cache', 'expeditor');
export const binDir = join(cacheDir, 'bin');

/** Path of an installed bed binary; throws naming the part and the install command when absent. */
export function bedBinary(part: string, name: string): string {
  const path = join(binDir, name);
  if (!existsSync(path)) {
    throw new Error(`bed part '${part}' is not installed: ${path} is missing. Run: bash test/bed/install.sh ${part}`);
  }
  return path;
}
