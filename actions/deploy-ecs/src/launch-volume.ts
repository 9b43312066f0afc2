// Managed EBS volumes (service-managed-ebs-volume, run-task-managed-ebs-volume) configure a volume
// the task definition leaves to launch time; ECS refuses a configuration for any other volume.
import { quote } from '@expeditor/shared/inputs';
import { serviceOriginError } from './service.ts';
import type { Rendered } from './task-definition.ts';

/** A managed EBS volume's name must be one of the task definition's configuredAtLaunch volumes (ECS refuses others). */
export function checkLaunchVolume(rendered: Rendered, name: string, input: string): void {
  const atLaunch = (rendered.input.volumes ?? []).filter((v) => v.configuredAtLaunch).map((v) => v.name ?? '');
  if (atLaunch.includes(name)) return;
  const named = rendered.input.volumes?.some((v) => v.name === name);
  throw serviceOriginError(
    { input },
    named
      ? `volume ${quote(name)} of the task definition is not configuredAtLaunch, so ECS takes no configuration for it`
      : `the task definition has no volume ${quote(name)}${atLaunch.length ? ` (configuredAtLaunch: ${atLaunch.join(', ')})` : ' and no volume configuredAtLaunch'}`,
    'name a volume of the task definition that has "configuredAtLaunch": true',
  );
}
