// A cancel that ends the Service route with a bare "the run was cancelled" (while checking the
// target, in a pre analysis, before the selector write or between its retries) says nothing about
// where traffic is. The selector read back does: this run's record on it means its switch landed.
import { CancelledError, DeadlineError, settledWithin } from '@expeditor/shared/deadline';
import { cleanupMs } from '@expeditor/aws/pacing';
import { ExpeditorError } from '@expeditor/shared/errors';
import { annotations } from '@expeditor/bluegreen/names';
import type { EksSwitchDeps, EksSwitchOptions } from './types.ts';

/** Rethrows `error`; a bare cancellation (or the run's deadline) first gets the state the stable Service was left in. */
export async function withSelectorState(error: unknown, opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<never> {
  if (!(error instanceof CancelledError || error instanceof DeadlineError) || error.unchanged) throw error;
  // The connection's requests outlive the run's signal, so this read still goes out; a slow
  // apiserver gets the clean-up's short deadline, then the line says to look.
  const service = await settledWithin(deps.kube.readService(opts.namespace, opts.stableService), cleanupMs.afterCancel);
  const color = service?.spec?.selector?.[opts.colorLabel];
  const ours = service?.metadata?.annotations?.[annotations.runUrl] === opts.runUrl;
  throw new ExpeditorError(error.message, {
    cause: error,
    unchanged: !color
      ? undefined
      : ours
        ? `Service ${opts.stableService} selects ${color}: this run's switch stands`
        : `Service ${opts.stableService} still selects ${color}; nothing was switched`,
    next: color ? error.next : `look at Service ${opts.stableService}'s selector (kubectl get service ${opts.stableService} -o yaml)`,
  });
}
