// The Kubernetes connection behind a proxy. client-node takes a proxy per cluster only from the
// kubeconfig's `proxy-url` (and then uses undici's ProxyAgent, already in its bundle); it reads no
// environment. As kubectl does, a `proxy-url` in the kubeconfig wins; without one, the cluster's
// server goes through the proxy the environment sets for it (HTTPS_PROXY, NO_PROXY: shared/proxy.ts).
import { type ProxyRules, runnerProxy } from '@expeditor/shared/proxy';
import type { Cluster } from './client-node.ts';

/** What this needs of a KubeConfig. */
export interface ProxiedConfig {
  clusters: Cluster[];
  getCurrentCluster(): Cluster | null;
}

/** Sets the current cluster's proxy-url from the environment when it has none; returns the proxy used, if any. */
export function applyEnvironmentProxy(kc: ProxiedConfig, rules: ProxyRules = runnerProxy()): URL | undefined {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server || cluster.proxyUrl || !rules.any) return undefined;
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return undefined;
  }
  const proxy = rules.proxyFor(server);
  if (!proxy) return undefined;
  rules.announce(server.host);
  kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, proxyUrl: proxy.href } : c));
  return proxy;
}
