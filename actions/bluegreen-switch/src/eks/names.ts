// The names and labels a blue/green service is made of on Kubernetes, shared with deploy-eks:
// Deployment `<service>-<color>`, Service `<service>-<color>` per color (the Ingress route), a
// preview Service `<service>-preview` on the idle color, and the color in a pod label.

export const colors = ['blue', 'green'] as const;
export type Color = (typeof colors)[number];

export function isColor(value: string): value is Color {
  return (colors as readonly string[]).includes(value);
}

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

export const deploymentName = (service: string, color: Color): string => `${service}-${color}`;
export const colorServiceName = (service: string, color: Color): string => `${service}-${color}`;
export const previewServiceName = (service: string): string => `${service}-preview`;
/** The ALB forward action a canary routes the Ingress path to (`alb.ingress.kubernetes.io/actions.<this>`). */
export const canaryActionName = (service: string): string => `${service}-canary`;

/** Which color a Service name of this service stands for, if it is one of the color Services. */
export function colorOfServiceName(service: string, name: string): Color | undefined {
  return colors.find((c) => colorServiceName(service, c) === name);
}

/** What the switch records on the Service (route service) or the Ingress (route ingress). */
export const annotationKeys = {
  previousColor: 'expeditor.dev/previous-color',
  switchedAt: 'expeditor.dev/switched-at',
  commit: 'expeditor.dev/commit',
  runUrl: 'expeditor.dev/run-url',
  /** On a Deployment scaled to zero by cleanup: its replicas before, and when. */
  scaledDownFrom: 'expeditor.dev/scaled-down-from',
  scaledDownAt: 'expeditor.dev/scaled-down-at',
} as const;

export const albActionAnnotation = (action: string): string => `alb.ingress.kubernetes.io/actions.${action}`;
/** The port name that tells the AWS Load Balancer Controller to read the backend from an action annotation. */
export const useAnnotationPort = 'use-annotation';
