// The Ingress route, as pure functions over Ingress objects (deploy-eks reads the live color with
// them, bluegreen-switch moves traffic with them): which paths belong to the
// service, which color they send traffic to (a plain backend, or an AWS Load Balancer Controller
// forward action with weights during a canary), and the rules and annotations of the next step.
import type { V1Ingress, V1IngressBackend, V1IngressRule, V1ServiceBackendPort } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import {
  albActionAnnotation,
  canaryActionName,
  colorOfServiceName,
  colorServiceName,
  useAnnotationPort,
  type Color,
} from '@expeditor/bluegreen/names';

export interface IngressPath {
  rule: number;
  index: number;
  host: string;
  path: string;
  backend: V1IngressBackend;
}

/** `/api` (any host) or `shop.example.com/api`. */
export interface PathFilter {
  host: string | undefined;
  path: string;
}

export function parsePathFilter(text: string): PathFilter {
  if (text.startsWith('/')) return { host: undefined, path: text };
  const slash = text.indexOf('/');
  return slash < 0 ? { host: text, path: '/' } : { host: text.slice(0, slash), path: text.slice(slash) };
}

export function describePath(p: { host: string; path: string }): string {
  return `${p.host || '*'}${p.path}`;
}

export function ingressPaths(ingress: V1Ingress): IngressPath[] {
  const out: IngressPath[] = [];
  (ingress.spec?.rules ?? []).forEach((rule: V1IngressRule, r) => {
    (rule.http?.paths ?? []).forEach((p, i) => {
      out.push({ rule: r, index: i, host: rule.host ?? '', path: p.path ?? '/', backend: p.backend });
    });
  });
  return out;
}

export interface Weights {
  blue: number;
  green: number;
}

/** How the service's paths send traffic now. */
export type IngressTraffic =
  | { kind: 'backend'; color: Color; port: V1ServiceBackendPort }
  | { kind: 'canary'; weights: Weights; live: Color; port: V1ServiceBackendPort };

export interface ServicePaths {
  paths: IngressPath[];
  traffic: IngressTraffic;
}

interface ForwardGroup {
  serviceName?: string;
  servicePort?: string | number;
  weight?: number;
}

/**
 * The paths of `ingress` that route to the service's color Services (or to its canary action),
 * narrowed by `filter`, and the color they serve. Throws naming the input when there is none,
 * when the filter names a path that does not exist, or when the paths disagree.
 */
export function servicePaths(ingress: V1Ingress, service: string, filter: PathFilter | undefined, filterText?: string): ServicePaths {
  const name = ingress.metadata?.name ?? '?';
  const all = ingressPaths(ingress);
  const action = canaryActionName(service);
  const ours = (p: IngressPath): boolean => {
    const backend = p.backend.service;
    if (!backend) return false;
    return colorOfServiceName(service, backend.name) !== undefined || (backend.name === action && backend.port?.name === useAnnotationPort);
  };
  const shown = all.map(describePath).join(', ') || 'none';
  let chosen: IngressPath[];
  if (filter) {
    const matching = all.filter((p) => p.path === filter.path && (filter.host === undefined || p.host === filter.host));
    if (matching.length === 0) {
      throw new ExpeditorError(
        `Ingress ${name} has no path ${filterText ?? describePath({ host: filter.host ?? '', path: filter.path })} (its paths: ${shown})`,
        {
          input: 'ingress-path',
          unchanged: 'nothing was changed',
          next: "give one of the Ingress's paths as 'ingress-path', as /path or host/path",
        },
      );
    }
    const foreign = matching.filter((p) => !ours(p));
    if (foreign.length > 0) {
      const p = foreign[0]!;
      throw new ExpeditorError(
        `Ingress ${name} path ${describePath(p)} routes to ${p.backend.service?.name ? `Service ${p.backend.service.name}` : 'a resource backend'}, not to ${colorServiceName(service, 'blue')} or ${colorServiceName(service, 'green')}`,
        {
          input: 'ingress-path',
          unchanged: 'nothing was changed',
          next: `point that path at the live color's Service (${service}-<color>) first, or give another path`,
        },
      );
    }
    chosen = matching;
  } else {
    chosen = all.filter(ours);
    if (chosen.length === 0) {
      throw new ExpeditorError(
        `no path of Ingress ${name} routes to ${colorServiceName(service, 'blue')} or ${colorServiceName(service, 'green')} (its paths: ${shown})`,
        {
          input: 'ingress',
          unchanged: 'nothing was changed',
          next: `point the Ingress path at the live color's Service (${service}-blue or ${service}-green), or check the 'service' input`,
        },
      );
    }
  }
  const traffics = chosen.map((p) => trafficOf(ingress, service, p));
  const first = traffics[0]!;
  for (let i = 1; i < traffics.length; i++) {
    if (trafficKey(traffics[i]!) !== trafficKey(first)) {
      throw new ExpeditorError(
        `the paths of Ingress ${name} disagree: ${describePath(chosen[0]!)} sends traffic to ${trafficText(first)}, ${describePath(chosen[i]!)} to ${trafficText(traffics[i]!)}`,
        {
          input: 'ingress-path',
          unchanged: 'nothing was changed',
          next: "name the one path to switch with 'ingress-path', or make the paths agree",
        },
      );
    }
  }
  return { paths: chosen, traffic: first };
}

function trafficOf(ingress: V1Ingress, service: string, p: IngressPath): IngressTraffic {
  const backend = p.backend.service!;
  const color = colorOfServiceName(service, backend.name);
  if (color) return { kind: 'backend', color, port: backend.port ?? {} };
  // The path uses the canary action: read its weights back from the annotation.
  const key = albActionAnnotation(backend.name);
  const text = ingress.metadata?.annotations?.[key];
  const groups = parseForwardGroups(text);
  if (!groups) {
    throw new ExpeditorError(
      `Ingress ${ingress.metadata?.name ?? '?'} path ${describePath(p)} uses the action ${backend.name}, but annotation ${key} is ${text ? 'not a forward action' : 'missing'}`,
      {
        input: 'ingress',
        unchanged: 'nothing was changed',
        next: `set the path's backend back to ${service}-blue or ${service}-green`,
      },
    );
  }
  const weights: Weights = { blue: 0, green: 0 };
  let port: V1ServiceBackendPort = {};
  for (const g of groups) {
    const c = g.serviceName ? colorOfServiceName(service, g.serviceName) : undefined;
    if (!c) continue;
    weights[c] += g.weight ?? 0;
    if (g.servicePort !== undefined) port = portFromAlb(g.servicePort);
  }
  const live: Color = weights.green > weights.blue ? 'green' : 'blue';
  return { kind: 'canary', weights, live, port };
}

function parseForwardGroups(text: string | undefined): ForwardGroup[] | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { type?: string; forwardConfig?: { targetGroups?: ForwardGroup[] } };
    return parsed.type === 'forward' && Array.isArray(parsed.forwardConfig?.targetGroups) ? parsed.forwardConfig.targetGroups : undefined;
  } catch {
    return undefined;
  }
}

function trafficKey(t: IngressTraffic): string {
  return t.kind === 'backend' ? `backend:${t.color}` : `canary:${t.weights.blue}:${t.weights.green}`;
}

export function trafficText(t: IngressTraffic): string {
  return t.kind === 'backend' ? t.color : `blue ${t.weights.blue}% / green ${t.weights.green}%`;
}

/** The live color: a plain backend's, or the heavier side of an unfinished canary. */
export function liveColor(t: IngressTraffic): Color {
  return t.kind === 'backend' ? t.color : t.live;
}

function portFromAlb(value: string | number): V1ServiceBackendPort {
  if (typeof value === 'number') return { number: value };
  return /^\d+$/.test(value) ? { number: Number(value) } : { name: value };
}

/** The ALB's servicePort: the number as text, or the port's name. */
export function albServicePort(port: V1ServiceBackendPort): string {
  return port.number !== undefined ? String(port.number) : (port.name ?? '');
}

/** The forward action of one canary step: `weight` % to the target color, the rest to live. */
export function forwardActionAnnotation(service: string, live: Color, target: Color, weight: number, port: V1ServiceBackendPort): string {
  const servicePort = albServicePort(port);
  return JSON.stringify({
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: colorServiceName(service, live), servicePort, weight: 100 - weight },
        { serviceName: colorServiceName(service, target), servicePort, weight },
      ],
      targetGroupStickinessConfig: { enabled: false },
    },
  });
}

/** A copy of the rules with the given paths' backends replaced. */
export function rulesWithBackend(ingress: V1Ingress, paths: readonly IngressPath[], backend: V1IngressBackend): V1IngressRule[] {
  const rules = structuredClone(ingress.spec?.rules ?? []);
  for (const p of paths) {
    const target = rules[p.rule]?.http?.paths[p.index];
    if (target) target.backend = structuredClone(backend);
  }
  return rules;
}

export function serviceBackend(name: string, port: V1ServiceBackendPort): V1IngressBackend {
  return { service: { name, port: port.number !== undefined ? { number: port.number } : { name: port.name ?? '' } } };
}

export function canaryBackend(service: string): V1IngressBackend {
  return { service: { name: canaryActionName(service), port: { name: useAnnotationPort } } };
}

/** Increasing weights ending at 100, e.g. 10,50,100; undefined when fine, else what is wrong. */
export function canaryStepsProblem(steps: readonly number[]): string | undefined {
  if (steps.length === 0) return 'expected at least one weight';
  for (const [i, s] of steps.entries()) {
    if (!Number.isInteger(s) || s < 1 || s > 100) return `expected whole percentages from 1 to 100, got ${s}`;
    if (i > 0 && s <= steps[i - 1]!) return `expected increasing weights, got ${steps.join(',')}`;
  }
  if (steps.at(-1) !== 100) return `expected the last weight to be 100, got ${steps.at(-1)}`;
  return undefined;
}

/** Traffic per color summed over every path of `ingresses` that routes to the service. */
export interface TrafficAcross {
  /** Ingress names and paths that route to the service, for messages. */
  where: string[];
  /** Weight per color over those paths (a plain backend counts 100). */
  weights: Weights;
}

/** How the Ingresses route to the service's colors; undefined when none of their paths does. */
export function trafficAcross(ingresses: readonly V1Ingress[], service: string): TrafficAcross | undefined {
  const out: TrafficAcross = { where: [], weights: { blue: 0, green: 0 } };
  const action = canaryActionName(service);
  for (const ingress of ingresses) {
    for (const p of ingressPaths(ingress)) {
      const backend = p.backend.service?.name;
      if (!backend || (colorOfServiceName(service, backend) === undefined && backend !== action)) continue;
      const traffic = trafficOf(ingress, service, p);
      const where = `Ingress ${ingress.metadata?.name ?? '?'} ${describePath(p)}`;
      if (traffic.kind === 'backend') {
        out.weights[traffic.color] += 100;
        out.where.push(where);
      } else {
        out.weights.blue += traffic.weights.blue;
        out.weights.green += traffic.weights.green;
        out.where.push(`${where} (canary action ${backend})`);
      }
    }
  }
  return out.where.length > 0 ? out : undefined;
}
