// BuildKit attestations (provenance, SBOM), as docker/build-push-action's inputs spell them. They
// are off unless asked for: with any attestation the tag points at an image index (the image plus
// an "unknown/unknown" attestation manifest) instead of one image manifest. ECS and EKS pull such
// an index by its digest and run the platform's image, but the digest output changes kind, ECR
// lists the manifests inside the index as untagged entries (lifecycle rules on untagged images see
// them), and mode=max provenance carries every build argument's value. Only BuildKit makes them: buildah
// cannot, nor can the engine's own builder (docker driver) of an engine without the containerd store.
import { InputError } from '@expeditor/shared/errors';
import type { ActionInputs } from '@expeditor/shared/inputs';

export type Provenance = false | 'min' | 'max';

/** Both are off by default, so anything on was asked for: refused where it cannot be met, never quietly dropped. */
export interface AttestationPlan {
  provenance: Provenance;
  sbom: boolean;
}

/** What the plan asks for, as facts of the build's inputs (`provenance=min`, `sbom`); empty when nothing is. */
export function attestationFacts(plan: AttestationPlan | undefined): string[] {
  return [...(plan?.provenance ? [`provenance=${plan.provenance}`] : []), ...(plan?.sbom ? ['sbom'] : [])];
}

export const provenanceExpected = 'true, false, mode=min or mode=max';

/** `true` → min (as buildx), `mode=min|max`, `false`; undefined for anything else. */
export function parseProvenance(raw: string): Provenance | undefined {
  const value = raw.trim().toLowerCase();
  if (value === 'false') return false;
  if (value === 'true' || value === 'mode=min') return 'min';
  if (value === 'mode=max') return 'max';
  return undefined;
}

/** Inputs provenance and sbom; unset is off. */
export function readAttestationInputs(inputs: ActionInputs): AttestationPlan {
  const raw = inputs.raw('provenance');
  const provenance = raw ? parseProvenance(raw) : false;
  if (provenance === undefined) inputs.problem('provenance', `expected ${provenanceExpected}, got ${JSON.stringify(raw)}`);
  return { provenance: provenance ?? false, sbom: inputs.boolean('sbom', false) };
}

export const noAttestations: AttestationPlan = { provenance: false, sbom: false };

/** `--provenance=…` and `--sbom=…` for buildx build: always explicit, so buildx's own default (min) never applies. */
export function buildxAttestationArgs(plan: AttestationPlan): string[] {
  return [`--provenance=${plan.provenance ? `mode=${plan.provenance}` : 'false'}`, `--sbom=${plan.sbom}`];
}

/** The attestation inputs that are on. */
const requestedOn = (plan: AttestationPlan): ('provenance' | 'sbom')[] => [
  ...(plan.provenance ? (['provenance'] as const) : []),
  ...(plan.sbom ? (['sbom'] as const) : []),
];

/** buildah makes no BuildKit attestations: an explicit request is refused, naming the input, before anything is built. */
export function checkBuildahAttestations(plan: AttestationPlan | undefined): void {
  const asked = plan ? requestedOn(plan) : [];
  const first = asked[0];
  if (!first) return;
  throw new InputError(
    first,
    `${asked.join(' and ')} attestations are made by BuildKit (docker buildx), and this build runs on buildah, which cannot make them`,
    `set '${first}' to false, or build with buildx on a builder with attestation support (docker/setup-buildx-action's docker-container driver)`,
  );
}

/**
 * buildx's own refusal, before it builds anything: the engine's builder (docker driver) of an engine
 * without the containerd image store cannot export attestations. Asked of buildx rather than
 * guessed from the driver, since the same driver on an engine with that store can.
 */
export function builderRefusedAttestations(plan: AttestationPlan | undefined, tail: readonly string[]): InputError | undefined {
  const asked = plan ? requestedOn(plan) : [];
  const first = asked[0];
  const line = tail.find((l) => /attestation is not supported/i.test(l));
  if (!first || !line) return undefined;
  return new InputError(
    first,
    `${asked.join(' and ')} attestations cannot be made by this buildx builder: ${line.replace(/^ERROR:\s*/, '').trim()}`,
    `use a builder that can export them (docker/setup-buildx-action, or docker buildx create --use), or set '${first}' to false; nothing was built or pushed`,
  );
}

/** The summary's line: what was attached to the image, or why nothing was. */
export function describeAttestations(plan: AttestationPlan | undefined, builder: 'buildx' | 'buildah'): string {
  if (builder === 'buildah') return 'none (buildah cannot make BuildKit attestations)';
  const made = [plan?.provenance ? `provenance (mode=${plan.provenance})` : '', plan?.sbom ? 'SBOM' : ''].filter(Boolean);
  return made.length ? made.join(', ') : 'none (provenance and sbom are off)';
}

/**
 * A buildx build that stopped on the SBOM generator (BuildKit pulls docker/buildkit-syft-scanner
 * from Docker Hub to scan the image): the message naming the input, or undefined for any other failure.
 */
export function sbomGeneratorFailure(plan: AttestationPlan | undefined, tail: readonly string[]): string | undefined {
  if (!plan?.sbom) return undefined;
  const line =
    tail.find((l) => /buildkit-syft-scanner/.test(l) && /error|failed/i.test(l)) ?? tail.find((l) => /buildkit-syft-scanner/.test(l));
  if (!line) return undefined;
  return `input 'sbom': the builder could not get the SBOM generator image (docker/buildkit-syft-scanner, pulled from Docker Hub): ${line.trim().slice(0, 300)}`;
}

export const sbomGeneratorNext =
  "let the builder reach Docker Hub (or a mirror of docker/buildkit-syft-scanner it is configured with), or set 'sbom' to false; nothing was pushed";
