// A blue/green made by hand, as the seed writes it: Deployment myapp-blue behind the team's
// Service myapp-service (selector app: myapp, version: blue). For the adoption tests of deploy-eks.
import { parse } from 'yaml';
import type { KubeConnection } from '@expeditor/kube/connect';

export const blueYaml = (image: string, replicas = 3): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp-blue
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: myapp
      version: blue
  template:
    metadata:
      labels:
        app: myapp
        version: blue # Key label
    spec:
      containers:
      - name: myapp
        image: ${image}
        ports:
        - containerPort: 8080
`;

/** The team's Service in front of blue; another name gives the same Service under it (a test Service, say). */
export const serviceYaml = (name = 'myapp-service'): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}${name === 'myapp-service' ? ' # This is the stable, unchanging entry point' : ''}
spec:
  selector:
    app: myapp
    version: blue # Currently points to blue
  ports:
  - protocol: TCP
    port: 80
    targetPort: 8080
`;

/** Applies YAML documents into `ns` as kubectl apply would create them. */
export async function createInNamespace(c: KubeConnection, ns: string, ...texts: string[]): Promise<void> {
  for (const text of texts) {
    const object = parse(text) as { metadata: { namespace?: string } };
    object.metadata.namespace = ns;
    await c.objects.create(object as never);
  }
}
