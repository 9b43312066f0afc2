// Each service's stable and preview Service names — `<service>` and `<service>-preview` unless the
// team has its own (an eks.services entry's stable-service / preview-service, or the inputs of the
// same names, as Argo's activeService / previewService). Resolved here, once, so deploy-eks (which
// reads the live color from the stable Service and writes the preview) and bluegreen-switch (which
// moves the stable Service's selector) always name the same Services.
import { type ExpeditorError, InputError, type Origin, originError } from '@expeditor/shared/errors';
import { colors, deploymentName, previewServiceName } from './names.ts';

export interface ServiceNames {
  /** The service: its Deployments, HPAs and color Services are `<service>-<color>`. */
  service: string;
  /** The Service that carries traffic; bluegreen-switch moves its selector. */
  stable: string;
  /** The Service deploy-eks points at the color it brings up. */
  preview: string;
}

/** An eks.services entry as the environment file has it: a name, or a name with its Services. */
export type ServiceEntry = string | { name: string; 'stable-service'?: string | undefined; 'preview-service'?: string | undefined };

export const entryName = (entry: ServiceEntry): string => (typeof entry === 'string' ? entry : entry.name);

/** The names by convention, for a service nobody configured. */
export const defaultNames = (service: string): ServiceNames => ({ service, stable: service, preview: previewServiceName(service) });

export interface NameSources {
  /** The environment file's eks.services and its key (`environments.<env>.eks.services`). */
  file?: { entries: readonly ServiceEntry[]; key: string } | undefined;
  /** The stable-service / preview-service inputs: they name the Services of the one service of the call. */
  inputs: { stable?: string | undefined; preview?: string | undefined };
}

type Which = 'stable' | 'preview';
const keyOf: Record<Which, string> = { stable: 'stable-service', preview: 'preview-service' };
const roleText: Record<Which, string> = { stable: 'stable Service', preview: 'preview Service' };

interface Named {
  names: ServiceNames;
  /** Where each name that is not the default came from. */
  origins: Partial<Record<Which, Origin>>;
}

/**
 * The names of each of `services` (the services of this call), and the problems with them: an
 * input given for several services, or a configured name that another object of the contract
 * already has — a color's Deployment or Service (`<s>-blue`), or another stable or preview
 * Service — each naming the input or key. Checked against every service the file lists too, as
 * the other services' Services share the namespace.
 */
export function resolveServiceNames(
  services: readonly string[],
  sources: NameSources,
): { names: Map<string, ServiceNames>; problems: ExpeditorError[] } {
  const problems: ExpeditorError[] = [];
  const named = new Map<string, Named>();
  for (const [i, entry] of (sources.file?.entries ?? []).entries()) {
    const name = entryName(entry);
    const at = (k: string): Origin => ({ key: `${sources.file?.key}.${i}.${k}` });
    // Two entries of one service could give it two stable Services: which would the switch move?
    if (named.has(name)) {
      problems.push(
        originError({ key: `${sources.file?.key}.${i}` }, `lists ${name} a second time`, {
          unchanged: 'nothing was changed',
          next: `keep one entry for ${name}`,
        }),
      );
      continue;
    }
    const own: Exclude<ServiceEntry, string> = typeof entry === 'string' ? { name: entry } : entry;
    named.set(name, {
      names: {
        service: name,
        stable: own['stable-service'] ?? name,
        preview: own['preview-service'] ?? previewServiceName(name),
      },
      origins: {
        ...(own['stable-service'] ? { stable: at('stable-service') } : {}),
        ...(own['preview-service'] ? { preview: at('preview-service') } : {}),
      },
    });
  }
  const given = (['stable', 'preview'] as const).filter((w) => sources.inputs[w]);
  if (given.length > 0 && services.length !== 1) {
    for (const w of given) {
      problems.push(
        new InputError(
          keyOf[w],
          `names the ${roleText[w]} of one service, and this call has ${services.length} (${services.join(', ')})`,
          `give each service its ${keyOf[w]} in its eks.services entry ({ name: …, ${keyOf[w]}: … }), or deploy one service per step`,
        ),
      );
    }
  } else if (given.length > 0 && services[0] !== undefined) {
    const service = services[0];
    const current = named.get(service) ?? { names: defaultNames(service), origins: {} };
    const names = { ...current.names };
    const origins = { ...current.origins };
    for (const w of given) {
      names[w] = sources.inputs[w] as string;
      origins[w] = { input: keyOf[w] };
    }
    named.set(service, { names, origins });
  }
  for (const service of services) if (!named.has(service)) named.set(service, { names: defaultNames(service), origins: {} });
  problems.push(...collisions([...named.values()]));
  return { names: new Map(services.map((s) => [s, (named.get(s) as Named).names])), problems };
}

/** A configured name that some other object of the blue/green contract already has. */
function collisions(all: readonly Named[]): ExpeditorError[] {
  const problems: ExpeditorError[] = [];
  for (const [i, { names, origins }] of all.entries()) {
    for (const w of ['stable', 'preview'] as const) {
      const origin = origins[w];
      if (!origin) continue;
      const name = names[w];
      const clash = clashOf(
        name,
        w,
        names,
        all.filter((_, j) => j !== i),
      );
      if (clash) {
        problems.push(
          originError(origin, `${name} cannot be ${names.service}'s ${roleText[w]}: ${clash}`, {
            unchanged: 'nothing was changed',
            next: `give ${names.service}'s ${roleText[w]} a name of its own`,
          }),
        );
      }
    }
  }
  return problems;
}

/** What else is called `name`, if anything: a color's objects (any service's), the service's other Service, another service's. */
function clashOf(name: string, w: Which, own: ServiceNames, others: readonly Named[]): string | undefined {
  for (const names of [own, ...others.map((o) => o.names)]) {
    const color = colors.find((c) => deploymentName(names.service, c) === name);
    if (color) return `it is the name of ${names.service}'s ${color} Deployment and Service`;
  }
  const other: Which = w === 'stable' ? 'preview' : 'stable';
  if (own[other] === name) return `it is also its ${roleText[other]}`;
  for (const { names } of others) {
    const role = (['stable', 'preview'] as const).find((r) => names[r] === name);
    if (role) return `it is also ${names.service}'s ${roleText[role]}`;
  }
  return undefined;
}
