// Kubernetes objects as `kubectl get -o yaml` prints them from a cluster running a blue/green
// service, for the unit tests of deploy-eks, bluegreen-switch (EKS) and @expeditor/bluegreen.
import type { V1Deployment, V1EndpointSlice, V1Ingress, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** A YAML document as a typed object (what client-node hands back, with dates as strings). */
export const yamlObject = <T>(text: string): T => parse(text) as T;

export const ecr = '123456789012.dkr.ecr.us-west-2.amazonaws.com';

/** The live color's Deployment of `shop` (kubectl get deployment shop-blue -o yaml). */
export const liveDeployment = (color = 'blue', replicas = 3): V1Deployment =>
  yamlObject<V1Deployment>(`
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "4"
    expeditor.dev/image: ${ecr}/shop@sha256:${'a'.repeat(64)}
    expeditor.dev/deployed-at: "2025-11-30T10:00:00.000Z"
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps/v1","kind":"Deployment"}
    team.example.com/owner: payments
  creationTimestamp: "2025-11-02T08:11:09Z"
  generation: 7
  labels:
    app: shop
    tier: web
    version: ${color}
  name: shop-${color}
  namespace: prod
  resourceVersion: "918273"
  uid: 0b7e4a52-6c1e-4c55-9b1a-6f2f1d3e8a10
spec:
  progressDeadlineSeconds: 600
  replicas: ${replicas}
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: shop
      version: ${color}
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
    type: RollingUpdate
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
      creationTimestamp: null
      labels:
        app: shop
        tier: web
        version: ${color}
    spec:
      containers:
      - image: ${ecr}/shop@sha256:${'a'.repeat(64)}
        imagePullPolicy: IfNotPresent
        name: shop
        ports:
        - containerPort: 8080
          name: http
          protocol: TCP
        resources:
          requests:
            cpu: 250m
            memory: 256Mi
      - image: public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0
        name: log-router
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      terminationGracePeriodSeconds: 30
status:
  availableReplicas: ${replicas}
  observedGeneration: 7
  readyReplicas: ${replicas}
  replicas: ${replicas}
  updatedReplicas: ${replicas}
`);

/** The stable Service of `shop`, selecting the live color (null: no color label). */
export const stableService = (color: string | null = 'blue', colorLabel = 'version'): V1Service =>
  yamlObject<V1Service>(`
apiVersion: v1
kind: Service
metadata:
  annotations:
    expeditor.dev/previous-color: green
    expeditor.dev/switched-at: "2025-11-30T10:05:00.000Z"
  creationTimestamp: "2025-11-02T08:11:09Z"
  labels:
    app: shop
  name: shop
  namespace: prod
  resourceVersion: "918300"
  uid: 5d1b9f8e-2a7c-4f0e-8e1d-2b3c4d5e6f70
spec:
  clusterIP: 10.100.37.12
  clusterIPs:
  - 10.100.37.12
  internalTrafficPolicy: Cluster
  ipFamilies:
  - IPv4
  ipFamilyPolicy: SingleStack
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: http
  selector:
    app: shop
${color === null ? '' : `    ${colorLabel}: ${color}`}
  sessionAffinity: None
  type: ClusterIP
status:
  loadBalancer: {}
`);

/** A color Service `shop-<color>` (the Ingress route), or the preview Service. */
export const colorService = (name: string, color: string, resourceVersion = '918400'): V1Service =>
  yamlObject<V1Service>(`
apiVersion: v1
kind: Service
metadata:
  labels:
    app: shop
  name: ${name}
  namespace: prod
  resourceVersion: "${resourceVersion}"
spec:
  clusterIP: 10.100.80.9
  clusterIPs:
  - 10.100.80.9
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 8080
  selector:
    app: shop
    version: ${color}
  type: ClusterIP
`);

/** The live color's HPA (kubectl get hpa shop-blue -o yaml). */
export const liveHpa = (color = 'blue', current = 5): V2HorizontalPodAutoscaler =>
  yamlObject<V2HorizontalPodAutoscaler>(`
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  creationTimestamp: "2025-11-02T08:11:10Z"
  labels:
    app: shop
    version: ${color}
  name: shop-${color}
  namespace: prod
  resourceVersion: "918350"
  uid: 7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
spec:
  maxReplicas: 10
  metrics:
  - resource:
      name: cpu
      target:
        averageUtilization: 70
        type: Utilization
    type: Resource
  minReplicas: 2
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: shop-${color}
status:
  currentMetrics: null
  currentReplicas: ${current}
  desiredReplicas: ${current}
`);

/** An Ingress of the AWS Load Balancer Controller with `/` and `/api` on `shop-<color>`, and `/admin` elsewhere. */
export const shopIngress = (color = 'blue', extraAnnotations: Record<string, string> = {}): V1Ingress => {
  const ingress = yamlObject<V1Ingress>(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/target-type: ip
  name: shop
  namespace: prod
  resourceVersion: "918500"
spec:
  ingressClassName: alb
  rules:
  - host: shop.example.com
    http:
      paths:
      - backend:
          service:
            name: shop-${color}
            port:
              number: 80
        path: /
        pathType: Prefix
      - backend:
          service:
            name: shop-${color}
            port:
              number: 80
        path: /api
        pathType: Prefix
      - backend:
          service:
            name: admin
            port:
              name: http
        path: /admin
        pathType: Prefix
`);
  Object.assign(ingress.metadata?.annotations ?? {}, extraAnnotations);
  return ingress;
};

/** The ALB forward action a canary step writes, as the annotation text. */
export const forwardAction = (blue: number, green: number, port: string | number = '80'): string =>
  JSON.stringify({
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: 'shop-blue', servicePort: port, weight: blue },
        { serviceName: 'shop-green', servicePort: port, weight: green },
      ],
    },
  });

/** `shopIngress` with `/` and `/api` on the canary action at these weights. */
export const canaryIngress = (blue: number, green: number): V1Ingress => {
  const ingress = shopIngress('blue', { 'alb.ingress.kubernetes.io/actions.shop-canary': forwardAction(blue, green) });
  for (const p of ingress.spec?.rules?.[0]?.http?.paths ?? []) {
    if (p.backend.service?.name === 'shop-blue') p.backend = { service: { name: 'shop-canary', port: { name: 'use-annotation' } } };
  }
  return ingress;
};

/** An EndpointSlice of `service` with endpoints [pod, ready] (ready undefined: the condition unset). */
export const endpointSlice = (
  service: string,
  endpoints: [string, boolean | undefined, { terminating?: boolean }?][],
): V1EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  addressType: 'IPv4',
  metadata: { name: `${service}-x7k2p`, namespace: 'prod', labels: { 'kubernetes.io/service-name': service } },
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: endpoints.map(([pod, ready, extra], i) => ({
    addresses: [`192.168.10.${i + 10}`],
    conditions: { ...(ready === undefined ? {} : { ready, serving: ready }), terminating: extra?.terminating ?? false },
    nodeName: 'ip-192-168-10-1.us-west-2.compute.internal',
    targetRef: { kind: 'Pod', name: pod, namespace: 'prod', uid: `uid-${pod}` },
  })),
});

export { thrownError as thrown } from './thrown.ts';
