import { afterAll, beforeAll } from 'vitest';
import { startBed, type Bed, type PartName } from './index.ts';

/**
 * Starts the named bed parts before the file's tests and stops them after. The returned object is
 * filled in by beforeAll; read its fields inside tests, not at module level.
 */
export function useBed<P extends PartName>(parts: readonly P[]): Bed<P> {
  const holder = {} as Bed<P>;
  let bed: Bed<P> | undefined;
  beforeAll(async () => {
    bed = await startBed(parts);
    Object.assign(holder, bed);
  }, 300_000);
  afterAll(async () => {
    await bed?.stop();
  }, 60_000);
  return holder;
}
