// The way back after a switch whose post-switch analysis did not pass: the stable Service's
// selector on the previous color again and its record annotations as they were before the run
// (so the Service shows no switch, and a later `rollback` goes where it would have gone), then
// the endpoints watched until they are the previous color's pods. Not bound to the run's signal:
// it must finish after a cancel or a deadline; it has its own time limit instead.
import { describeError } from '@expeditor/shared/errors';
import { formatDuration, withDeadline } from '@expeditor/shared/deadline';
import type { Color } from '@expeditor/bluegreen/names';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import { recordAsItWas } from './record.ts';
import { waitForEndpoints } from './converge.ts';
import type { EksSwitchDeps, EksSwitchOptions } from './types.ts';

/** How long the way back may take: a write and the endpoints controller's reaction. */
const rollbackLimitMs = 120_000;

export interface SelectorRollback {
  /** The selector is on the previous color again. */
  ok: boolean;
  /** For the error message: "Service shop selects blue again (endpoints back in 120 ms)". */
  text: string;
}

export async function rollBackSelector(
  opts: EksSwitchOptions,
  deps: EksSwitchDeps,
  r: { live: Color; target: Color; selector: Record<string, string>; before: Record<string, string> | undefined },
): Promise<SelectorRollback> {
  const { kube, log } = deps;
  const signal = withDeadline(undefined, rollbackLimitMs);
  const selector = { ...r.selector, [opts.colorLabel]: r.live };
  try {
    for (let attempt = 1; ; attempt++) {
      const fresh = await kube.readService(opts.namespace, opts.stableService);
      const now = fresh?.spec?.selector?.[opts.colorLabel];
      // Someone else moved the Service meanwhile: theirs stands.
      if (!fresh || now !== r.target) {
        return {
          ok: false,
          text: `not rolled back: Service ${opts.stableService} ${fresh ? `now selects ${now ?? 'no color'}` : 'no longer exists'} (someone else changed it)`,
        };
      }
      const sentAt = performance.now();
      try {
        await guardedPatch({
          resourceVersion: fresh.metadata?.resourceVersion ?? '',
          patch: { metadata: { annotations: recordAsItWas(r.before) }, spec: { selector: { [opts.colorLabel]: r.live } } },
          send: (body) => kube.patchService(opts.namespace, opts.stableService, body),
          read: () => kube.readService(opts.namespace, opts.stableService),
          landed: (f) => f.spec?.selector?.[opts.colorLabel] === r.live,
          conflict: () => new SwitchConflictError('conflict', '', ''),
          signal,
        });
      } catch (error) {
        if (error instanceof SwitchConflictError && attempt < 5) continue;
        throw error;
      }
      log.info(`selector is back on ${opts.colorLabel}=${r.live} (the record annotations as they were before this run)`);
      // The selector is back whatever the endpoints do next; their convergence is only reported.
      const converged = await waitForEndpoints(kube, {
        namespace: opts.namespace,
        service: opts.stableService,
        selector,
        since: sentAt,
        signal,
        log,
      }).then(
        (c) => `its endpoints were only ${r.live}'s pods after ${formatDuration(c.ms)}`,
        (error: unknown) => `its endpoints were not seen converging: ${describeError(error)}`,
      );
      return { ok: true, text: `rolled back: Service ${opts.stableService} selects ${r.live} again (${converged})` };
    }
  } catch (error) {
    return { ok: false, text: `rolling back to ${r.live} FAILED (${describeError(error)})` };
  }
}
