// The image's labels: the caller's, plus the OCI revision, source and created labels, which
// build-image sets itself and refuses from the caller.
import { InputError } from '@expeditor/shared/errors';

export const ociLabels = {
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  created: 'org.opencontainers.image.created',
} as const;

export function imageLabels(
  labels: Readonly<Record<string, string>>,
  facts: { revision: string; source: string | undefined; created: Date },
): Record<string, string> {
  for (const name of Object.values(ociLabels)) {
    if (name in labels) throw new InputError('labels', `${name} is set by build-image itself; leave it out`);
  }
  return {
    ...labels,
    [ociLabels.revision]: facts.revision,
    ...(facts.source ? { [ociLabels.source]: facts.source } : {}),
    [ociLabels.created]: facts.created.toISOString(),
  };
}
