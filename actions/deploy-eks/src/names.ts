// The names and labels of a blue/green service on Kubernetes (docs/usage.md is the contract with
// bluegreen-switch): Deployment `<service>-<color>`, preview Service `<service>-preview`, a Service
// per color `<service>-<color>` on the Ingress route, labels app=<service> and <color-label>=<color>.

export const colors = ['blue', 'green'] as const;
export type Color = (typeof colors)[number];

export function isColor(value: unknown): value is Color {
  return typeof value === 'string' && (colors as readonly string[]).includes(value);
}

export const otherColor = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');
export const deploymentName = (service: string, color: Color): string => `${service}-${color}`;
export const hpaName = deploymentName;
export const colorServiceName = deploymentName;
export const previewServiceName = (service: string): string => `${service}-preview`;

export const annotations = {
  image: 'expeditor.dev/image',
  revision: 'expeditor.dev/revision',
  runUrl: 'expeditor.dev/run-url',
  deployedAt: 'expeditor.dev/deployed-at',
  targetColor: 'expeditor.dev/target-color',
  liveColor: 'expeditor.dev/live-color',
  irsa: 'eks.amazonaws.com/role-arn',
} as const;

/** Annotations a copied Deployment must not carry over (server-set, or ours from the last run). */
export function isCarriedAnnotation(key: string): boolean {
  return !(key === 'deployment.kubernetes.io/revision' || key === 'kubectl.kubernetes.io/last-applied-configuration' || key.startsWith('expeditor.dev/'));
}
