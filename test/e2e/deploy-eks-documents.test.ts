// A manifest as a team writes one for a service (seed 003's shape): Namespace, IRSA
// ServiceAccount, ConfigMap, Secret, the stable Service, a Deployment without replicas and with a
// migration init container, its HPA and PDB, and a CronJob of the same image — through the
// committed bundle on the bed. Every document is accounted for; the user's labels and namespace win.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { runBundle, type BundleRun } from './bundle-run.ts';
import { image, kubeconfigConnection, workspace } from './deploy-eks-bed.ts';
import { blueYaml, createInNamespace, serviceYaml } from './myapp-seed.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bed = useBed(['k8s']);

const run = (ws: string, inputs: Record<string, string>): Promise<BundleRun> =>
  runBundle('deploy-eks', inputs, { GITHUB_SHA: 'b'.repeat(40), KUBECONFIG: bed.k8s.kubeconfig }, { workspace: ws });

function searchManifest(ns: string, logLevel = 'info'): string {
  return `# search service: everything it needs, as kubectl apply -f would take it
apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: search
  namespace: ${ns}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111111111111:role/search
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: search-config
  namespace: ${ns}
data:
  LOG_LEVEL: ${logLevel}
---
apiVersion: v1
kind: Secret
metadata:
  name: search-db
  namespace: ${ns}
type: Opaque
stringData:
  password: not-a-real-one
---
apiVersion: v1
kind: Service
metadata:
  name: search
  namespace: ${ns}
spec:
  selector:
    app: search-api
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: search
  namespace: ${ns}
  labels:
    app: search-api
spec:
  selector:
    matchLabels:
      app: search-api
  template:
    metadata:
      labels:
        app: search-api
    spec:
      serviceAccountName: search
      initContainers:
        - name: migrate
          image: registry.bed/search:old
          command: ["./migrate", "up"]
      containers:
        - name: api
          image: registry.bed/search:old
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: search-config
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: search
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: search
  minReplicas: 3
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: search
  namespace: ${ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: search-api
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: search-reindex
  namespace: ${ns}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: reindex
              image: registry.bed/search:old
`;
}

function write(ws: string, file: string, text: string): string {
  mkdirSync(join(ws, file, '..'), { recursive: true });
  writeFileSync(join(ws, file), text);
  return file;
}

describe('deploy-eks accounts for every document of a manifest', () => {
  it('first deploy into a namespace the manifest brings, then a second color: shared objects applied, per-color copies, labels kept', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `search-${randomBytes(3).toString('hex')}`;
    const ws = workspace();
    const manifest = write(ws, 'k8s/search.yaml', searchManifest(ns));
    const first = await run(ws, { image: image(1, 'search'), services: 'search', manifest });
    expect(first.log).not.toMatch(/::error/);
    expect(first.status).toBe(0);
    // One line per document, saying what happens to it.
    for (const line of [
      `Namespace ${ns}: applied`,
      'ServiceAccount search: applied',
      'ConfigMap search-config: applied',
      'Secret search-db: applied',
      'Service search: the stable Service',
      "Deployment search: the template of search's target color",
      'HorizontalPodAutoscaler search: one per color, for search',
      'PodDisruptionBudget search: one per color, for search',
      'CronJob search-reindex: applied with the image in reindex',
    ]) {
      expect(first.log).toContain(line);
    }
    expect(first.log).not.toContain('not-a-real-one');
    expect(first.summary).toContain('k8s/search.yaml#9: CronJob search-reindex: applied with the image in reindex');

    const blue = await c.apps.readNamespacedDeployment({ name: 'search-blue', namespace: ns });
    // No replicas in the manifest: the HPA's minimum, not one pod.
    expect(blue.spec?.replicas).toBe(3);
    // The user's app label stays; the selector only gains the color.
    expect(blue.spec?.selector.matchLabels).toEqual({ app: 'search-api', version: 'blue' });
    expect(blue.spec?.template.metadata?.labels).toMatchObject({ app: 'search-api', version: 'blue' });
    // The migration init container runs the new image too.
    expect(blue.spec?.template.spec?.initContainers?.[0]?.image).toBe(image(1, 'search'));
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe(image(1, 'search'));
    const stable = await c.core.readNamespacedService({ name: 'search', namespace: ns });
    expect(stable.spec?.selector).toEqual({ app: 'search-api', version: 'blue' });
    expect(stable.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 8080 });
    const preview = await c.core.readNamespacedService({ name: 'search-preview', namespace: ns });
    expect(preview.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 8080 });
    const hpa = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'search-blue', namespace: ns });
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 6, scaleTargetRef: { name: 'search-blue' } });
    const cron = (await c.objects.read({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'search-reindex', namespace: ns },
    })) as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } };
    };
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]?.image).toBe(image(1, 'search'));
    const pdb = (await c.objects.read({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'search-blue', namespace: ns },
    })) as {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    expect(pdb.spec.selector.matchLabels).toEqual({ app: 'search-api', version: 'blue' });
    const account = await c.core.readNamespacedServiceAccount({ name: 'search', namespace: ns });
    expect(account.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111111111111:role/search');

    // Release 2 changes the ConfigMap: applied; the stable Service still sends traffic to blue.
    write(ws, 'k8s/search.yaml', searchManifest(ns, 'debug'));
    const second = await run(ws, { image: image(2, 'search'), services: 'search', manifest });
    expect(second.log).not.toMatch(/::error/);
    expect(second.status).toBe(0);
    expect(second.log).toContain('Service search (k8s/search.yaml#5): exists, left as it is (bluegreen-switch moves its selector)');
    expect((await c.core.readNamespacedService({ name: 'search', namespace: ns })).spec?.selector).toEqual({
      app: 'search-api',
      version: 'blue',
    });
    expect((await c.core.readNamespacedConfigMap({ name: 'search-config', namespace: ns })).data).toEqual({ LOG_LEVEL: 'debug' });
    const green = await c.apps.readNamespacedDeployment({ name: 'search-green', namespace: ns });
    expect(green.spec?.replicas).toBe(3);
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image(2, 'search'));
    expect((await c.apps.readNamespacedDeployment({ name: 'search-blue', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe(
      image(1, 'search'),
    );
    await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'search-green', namespace: ns });
  });

  it('adopts a blue/green made by hand (seed: myapp-blue behind myapp-service): green is brought up, blue and the Service untouched', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `myapp-${randomBytes(3).toString('hex')}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    // What the team runs today, applied by hand.
    const ws = workspace();
    write(ws, 'deploy/deployment-blue.yaml', blueYaml('registry.bed/myapp:v1'));
    write(ws, 'deploy/service.yaml', serviceYaml());
    await createInNamespace(c, ns, blueYaml('registry.bed/myapp:v1'), serviceYaml());
    const before = await c.apps.readNamespacedDeployment({ name: 'myapp-blue', namespace: ns });

    const result = await run(ws, { image: image(2, 'myapp'), services: 'myapp', manifest: 'deploy', namespace: ns });
    expect(result.log).not.toMatch(/::error/);
    expect(result.status).toBe(0);
    expect(result.log).toContain('no Service myapp, but Service myapp-service sends traffic to myapp-blue: blue is live');
    expect(result.outputs).toMatchObject({ 'live-color': 'blue', 'target-color': 'green' });
    const green = await c.apps.readNamespacedDeployment({ name: 'myapp-green', namespace: ns });
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image(2, 'myapp'));
    expect(green.spec?.template.metadata?.labels).toMatchObject({ app: 'myapp', version: 'green' });
    const after = await c.apps.readNamespacedDeployment({ name: 'myapp-blue', namespace: ns });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe('registry.bed/myapp:v1');
    expect((await c.core.readNamespacedService({ name: 'myapp-service', namespace: ns })).spec?.selector).toEqual({
      app: 'myapp',
      version: 'blue',
    });
  });

  it('several services with their own images in one call (images input), from a kustomize build written under RUNNER_TEMP', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `shop-${randomBytes(3).toString('hex')}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: ${name}
  name: ${name}
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
      - image: registry.bed/${name}:1.0.0
        name: ${name}
        ports:
        - containerPort: 8080
`;
    // `kustomize build overlays/prod > $RUNNER_TEMP/shop.yaml`: one stream, documents sorted by kind and name.
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const built = join(runnerTemp, 'shop.yaml');
    writeFileSync(built, ['cart', 'catalog', 'checkout'].map(deployment).join('---\n'));
    const images = { cart: image(11, 'cart'), catalog: image(12, 'catalog'), checkout: image(13, 'checkout') };
    const result = await runBundle(
      'deploy-eks',
      {
        services: 'cart,checkout,catalog',
        images: Object.entries(images)
          .map(([s, i]) => `${s}=${i}`)
          .join('\n'),
        manifest: built,
      },
      { GITHUB_SHA: 'b'.repeat(40), KUBECONFIG: bed.k8s.kubeconfig, RUNNER_TEMP: runnerTemp },
      { workspace: workspace() },
    );
    expect(result.log).not.toMatch(/::error/);
    expect(result.status).toBe(0);
    for (const [service, expected] of Object.entries(images)) {
      const blue = await c.apps.readNamespacedDeployment({ name: `${service}-blue`, namespace: ns });
      expect(blue.spec?.template.spec?.containers[0]?.image, service).toBe(expected);
      expect(blue.metadata?.annotations?.['expeditor.dev/image'], service).toBe(expected);
      expect(blue.spec?.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': service, version: 'blue' });
    }
  });

  it.each<[string, { stable: string; preview: string }, Record<string, string>]>([
    ['the default Service names', { stable: 'web', preview: 'web-preview' }, {}],
    [
      "the team's own Service names",
      { stable: 'web-svc', preview: 'web-test' },
      { 'stable-service': 'web-svc', 'preview-service': 'web-test' },
    ],
  ])(
    'the Ingress route end to end from a manifest, with %s: first deploy creates the Ingress, then green, switch, rollback and cleanup',
    async (_names, names, nameInputs) => {
      const c = await kubeconfigConnection(bed.k8s);
      const ns = `web-${randomBytes(3).toString('hex')}`;
      await c.core.createNamespace({ body: { metadata: { name: ns } } });
      const ws = workspace();
      const manifest = write(
        ws,
        'k8s/web.yaml',
        `apiVersion: v1
kind: Service
metadata:
  name: ${names.stable}
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.bed/web:0.9.0
          ports:
            - containerPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/target-type: ip
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${names.stable}
                port:
                  number: 80
`,
      );
      const deployInputs = { services: 'web', manifest, namespace: ns, route: 'ingress', ingress: 'web', ...nameInputs };
      const first = await run(ws, { ...deployInputs, image: image(1, 'web') });
      expect(first.log).not.toMatch(/::error/);
      expect(first.status).toBe(0);
      expect(first.log).toContain(`created Ingress web, backends ${names.stable} → web-blue`);
      const backendOf = async () =>
        (await c.networking.readNamespacedIngress({ name: 'web', namespace: ns })).spec?.rules?.[0]?.http?.paths[0]?.backend.service;
      expect(await backendOf()).toEqual({ name: 'web-blue', port: { number: 80 } });

      const second = await run(ws, { ...deployInputs, image: image(2, 'web') });
      expect(second.status, second.log).toBe(0);
      expect(second.outputs).toMatchObject({ 'live-color': 'blue', 'target-color': 'green', 'preview-service': names.preview });
      const preview = await c.core.readNamespacedService({ name: names.preview, namespace: ns });
      expect(preview.spec?.selector).toMatchObject({ version: 'green' });
      // Both colors' Services have the port the Ingress names, whichever run made them.
      for (const color of ['blue', 'green']) {
        const svc = await c.core.readNamespacedService({ name: `web-${color}`, namespace: ns });
        expect(svc.spec?.ports?.map((p) => p.port)).toEqual([80]);
      }

      const switchInputs = {
        platform: 'eks',
        kubeconfig: bed.k8s.kubeconfig,
        namespace: ns,
        service: 'web',
        route: 'ingress',
        ingress: 'web',
        ...(nameInputs['preview-service'] ? { 'preview-service': nameInputs['preview-service'] } : {}),
      };
      const switched = await runBundle('bluegreen-switch', switchInputs, { GITHUB_SHA: 'b'.repeat(40) }, { workspace: ws });
      expect(switched.status, switched.log).toBe(0);
      expect(await backendOf()).toEqual({ name: 'web-green', port: { number: 80 } });
      const back = await runBundle(
        'bluegreen-switch',
        { ...switchInputs, action: 'rollback' },
        { GITHUB_SHA: 'b'.repeat(40) },
        { workspace: ws },
      );
      expect(back.status, back.log).toBe(0);
      expect(await backendOf()).toEqual({ name: 'web-blue', port: { number: 80 } });
      const cleaned = await runBundle(
        'bluegreen-switch',
        { ...switchInputs, action: 'cleanup', 'remove-preview': 'true' },
        { GITHUB_SHA: 'b'.repeat(40) },
        { workspace: ws },
      );
      expect(cleaned.status, cleaned.log).toBe(0);
      expect((await c.apps.readNamespacedDeployment({ name: 'web-green', namespace: ns })).spec?.replicas).toBe(0);
      const services = (await c.core.listNamespacedService({ namespace: ns })).items.map((svc) => svc.metadata?.name).sort();
      expect(services).toEqual([names.stable, 'web-blue', 'web-green'].sort());
    },
  );

  it.each([
    [
      'a StatefulSet running the image',
      `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: search-indexer
spec:
  serviceName: search-indexer
  selector:
    matchLabels: { app: search-indexer }
  template:
    metadata:
      labels: { app: search-indexer }
    spec:
      containers:
        - name: indexer
          image: registry.bed/search:old
`,
      /k8s\/search\.yaml#9: StatefulSet search-indexer runs registry\.bed\/search, and a StatefulSet cannot be brought up blue\/green/,
    ],
    [
      'a ClusterRole',
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: search-reader
rules: []
`,
      /k8s\/search\.yaml#9: ClusterRole search-reader is cluster-wide; deploy-eks writes into one namespace/,
    ],
    [
      'an object the apiserver refuses (found by the dry run)',
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: Search_Config
data: {}
`,
      /k8s\/search\.yaml#9: the cluster refuses ConfigMap Search_Config/,
    ],
  ])('%s is refused naming the document, before anything is written', async (_, extra, message) => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `search-${randomBytes(3).toString('hex')}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    const ws = workspace();
    const manifest = write(
      ws,
      'k8s/search.yaml',
      `${searchManifest(ns).replace(/^apiVersion: v1\nkind: Namespace\nmetadata:\n {2}name: .*\n---\n/m, '')}---\n${extra}`,
    );
    const result = await run(ws, { image: image(1, 'search'), services: 'search', manifest });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(message);
    const configMaps = await c.core.listNamespacedConfigMap({ namespace: ns });
    expect(configMaps.items.map((m) => m.metadata?.name)).not.toContain('search-config');
    const deployments = await c.apps.listNamespacedDeployment({ namespace: ns });
    expect(deployments.items).toEqual([]);
  });
});
