// startBed(['k8s', 'moto']) starts just those parts, each on its own free ports in a directory of
// its own, so test files can run in parallel processes. useBed() does it around a Vitest file.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BedContext, PartHandle, PartName, Parts } from './types.ts';

export type { Parts, PartName } from './types.ts';

const order: PartName[] = ['oidc', 'moto', 'registry', 'docker', 'k8s', 'argo', 'prometheus', 'github'];

export type Bed<P extends PartName> = Pick<Parts, P> & { readonly dir: string; stop(): Promise<void> };

async function startPart(name: PartName, ctx: BedContext): Promise<PartHandle<unknown>> {
  // The github part keeps its server beside it, in test/bed/github/.
  const file = name === 'github' ? './github/part.ts' : `./parts/${name}.ts`;
  const mod = (await import(file)) as {
    start(ctx: BedContext): Promise<PartHandle<unknown>>;
  };
  return mod.start(ctx);
}

export async function startBed<P extends PartName>(parts: readonly P[]): Promise<Bed<P>> {
  const dir = mkdtempSync(join(tmpdir(), 'expeditor-bed-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const started: Partial<Parts> = {};
  const handles: PartHandle<unknown>[] = [];
  const stop = async (): Promise<void> => {
    for (const handle of handles.reverse()) await handle.stop().catch(() => undefined);
    handles.length = 0;
    if (!process.env.EXPEDITOR_BED_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const name of order) {
      if (!parts.includes(name as P)) continue;
      const handle = await startPart(name, { dir, logDir, started });
      handles.push(handle);
      (started as Record<string, unknown>)[name] = handle.part;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...(started as Pick<Parts, P>), dir, stop };
}
