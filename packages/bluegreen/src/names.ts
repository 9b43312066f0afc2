// The color contract between deploy-eks and bluegreen-switch on Kubernetes (docs/usage.md tells it
// to users): Deployment `<service>-<color>`, a Service per color `<service>-<color>` (the Ingress
// route), a preview Service `<service>-preview` on the idle color, the color in a pod label
// (`version` unless set), and the expeditor.dev/* annotations each side writes and reads. A
// service's stable and preview Services may have names of their own: service-names.ts.

export const colors = ['blue', 'green'] as const;
export type Color = (typeof colors)[number];

export function isColor(value: unknown): value is Color {
  return typeof value === 'string' && (colors as readonly string[]).includes(value);
}

export const otherColor = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

/**
 * The label deploy-eks adds to what it writes for a service (Deployment, its pods, HPA) to find
 * them again; it never goes into a selector, so users' own labels (`app: …`) stay as they wrote them.
 */
export const serviceLabel = 'expeditor.dev/service';

/** The pod label that carries the color when neither input nor environment file names one. */
export const defaultColorLabel = 'version';

export const deploymentName = (service: string, color: Color): string => `${service}-${color}`;
export const hpaName = deploymentName;
export const colorServiceName = deploymentName;
export const previewServiceName = (service: string): string => `${service}-preview`;
/** The ALB forward action a canary routes the Ingress path to (`alb.ingress.kubernetes.io/actions.<this>`). */
export const canaryActionName = (service: string): string => `${service}-canary`;

/** Which color a Service name of this service stands for, if it is one of the color Services. */
export function colorOfServiceName(service: string, name: string | undefined): Color | undefined {
  return colors.find((c) => colorServiceName(service, c) === name);
}

export const annotations = {
  // Written by deploy-eks on what it deploys.
  image: 'expeditor.dev/image',
  revision: 'expeditor.dev/revision',
  deployedAt: 'expeditor.dev/deployed-at',
  targetColor: 'expeditor.dev/target-color',
  liveColor: 'expeditor.dev/live-color',
  // Written by bluegreen-switch on the Service (route service) or the Ingress (route ingress).
  previousColor: 'expeditor.dev/previous-color',
  switchedAt: 'expeditor.dev/switched-at',
  commit: 'expeditor.dev/commit',
  // Both: the run that wrote the object.
  runUrl: 'expeditor.dev/run-url',
  /** On a Deployment scaled to zero by cleanup: its replicas before, and when. */
  scaledDownFrom: 'expeditor.dev/scaled-down-from',
  scaledDownAt: 'expeditor.dev/scaled-down-at',
  /** IRSA: the IAM role of a service account. */
  irsa: 'eks.amazonaws.com/role-arn',
} as const;

/** Annotations a copied Deployment must not carry over (server-set, or ours from the last run). */
export function isCarriedAnnotation(key: string): boolean {
  return !(
    key === 'deployment.kubernetes.io/revision' ||
    key === 'kubectl.kubernetes.io/last-applied-configuration' ||
    key.startsWith('expeditor.dev/')
  );
}

export const albActionAnnotation = (action: string): string => `alb.ingress.kubernetes.io/actions.${action}`;
/** The port name that tells the AWS Load Balancer Controller to read the backend from an action annotation. */
export const useAnnotationPort = 'use-annotation';
