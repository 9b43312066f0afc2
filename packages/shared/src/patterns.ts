// Shapes of the values the actions take, shared so every action refuses the same bad values.

export const environmentName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const accountId = /^\d{12}$/;
export const awsRegion = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
export const roleArn = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Kubernetes DNS-1123 label (namespace, Service, Deployment names). */
export const k8sName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Service's own name, a DNS-1035 label: the apiserver refuses one that starts with a digit. */
export const serviceName = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const serviceNameText = 'a Kubernetes Service name (lower-case letters, digits, -, starting with a letter)';
export const ecsName = /^[A-Za-z0-9_-]{1,255}$/;
/** An ECS cluster by name or ARN, as every ECS API takes it. */
export const ecsClusterRef = /^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/;
/** An ECS service by name or ARN (the long form names its cluster: service/<cluster>/<name>). */
export const ecsServiceRef =
  /^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/([A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255})$/;

/** The name in an ECS cluster or service reference, and the cluster a long-form service ARN names. */
export function ecsRefName(ref: string): { name: string; cluster: string | undefined } {
  if (!ref.startsWith('arn:')) return { name: ref, cluster: undefined };
  const parts = (ref.split(':')[5] ?? '').split('/');
  return { name: parts.at(-1) ?? ref, cluster: parts.length === 3 ? parts[1] : undefined };
}
/** An EKS cluster name. */
export const eksClusterName = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** A Kubernetes label key: an optional DNS prefix and a name (no spaces, commas or operators: it goes into label selectors). */
export const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A CodeDeploy application, deployment group or deployment config name. */
export const codeDeployName = /^[A-Za-z0-9_.+=,@-]{1,100}$/;
/**
 * A Secrets Manager secret or SSM parameter ARN, or the path of an SSM parameter in the task's
 * region (`/shop/api-key`), which ECS takes as well. A bare word is refused: it is more often a
 * secret's value pasted by mistake than a flat parameter name.
 */
export const secretReference =
  /^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret:|parameter\/)\S+|(\/[A-Za-z0-9_.-]{1,1011}){1,15})$/;
/** An Elastic Load Balancing listener ARN. */
export const listenerArn = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/\S+$/;
/** One line of printable text (no control characters, so nothing can start a new log line). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
export const singleLine = /^[^\u0000-\u001f\u007f]*$/;
/** An environment variable name as ECS and shells take it, also with dots (spring.profiles.active). */
export const variableName = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;
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
