// The EKS switch as one call: switch, rollback or cleanup on the service or ingress route. All
// of them end in the same guarded write (guard.ts) after the same readiness check.
import { switchServiceRoute } from './service-route.ts';
import { switchIngressRoute } from './ingress-route.ts';
import { cleanupOldColor } from './cleanup.ts';
import { switchRollout } from './argo-switch.ts';
import { withSelectorState } from './cancelled.ts';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export async function eksSwitch(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  if (opts.rollout) return switchRollout(opts, deps);
  if (opts.action === 'cleanup') return cleanupOldColor(opts, deps);
  if (opts.route !== 'service') return switchIngressRoute(opts, deps);
  return switchServiceRoute(opts, deps).catch((error: unknown) => withSelectorState(error, opts, deps));
}
