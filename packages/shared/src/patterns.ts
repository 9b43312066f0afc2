// Shapes of the values the actions take, shared so every action refuses the same bad values.

export const environmentName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const accountId = /^\d{12}$/;
export const awsRegion = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
export const roleArn = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Kubernetes DNS-1123 label (namespace, Service, Deployment names). */
export const k8sName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const ecsName = /^[A-Za-z0-9_-]{1,255}$/;
/** repository[:tag][@sha256:digest], as in a container image reference. */
export const imageReference =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export const digestReference = /@sha256:[a-f0-9]{64}$/;

/** `host/repo:tag@sha256:…` → `host/repo`: what decides which container runs "our" image. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}
/** A relative path that stays inside the workspace. */
export function escapesWorkspace(path: string): boolean {
  return path.startsWith('/') || path.split(/[\\/]/).includes('..');
}
