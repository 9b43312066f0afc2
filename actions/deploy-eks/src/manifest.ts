// Deployment manifests from a file or a directory (YAML with several documents, or JSON): the
// Deployment of each service is found before any network call, and a manifest without one is an
// error naming the input.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, readUserFile, resolveUserPath } from '@expeditor/shared/workspace-file';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { originError, type Origin } from '@expeditor/shared/errors';

export interface ManifestDocument {
  object: Record<string, unknown>;
  /** `k8s/app.yaml`, `k8s/app.yaml#2` for the second document. */
  where: string;
}

export type { Origin };

function fail(origin: Origin, message: string, next: string): never {
  throw originError(origin, message, { unchanged: 'nothing was changed', next });
}

/** Every document of the file, or of every .yaml/.yml/.json file of the directory (sorted, not recursive). */
export function readManifests(workspace: string, path: string, origin: Origin, runnerTemp?: string): ManifestDocument[] {
  const rule = { workspace, origin, maxBytes: MiB, alsoUnder: runnerTemp ? [runnerTemp] : undefined };
  const resolved = resolveUserPath(path, rule);
  if (!resolved.exists) {
    fail(
      origin,
      `${path} does not exist in the workspace`,
      'check the path (relative to the repository root) and that the workflow checked the repository out',
    );
  }
  // Each file of a directory goes through the same rule (a link out of it, a sub-directory named x.yaml).
  const files = statSync(resolved.path).isDirectory()
    ? readdirSync(resolved.path)
        .filter((f) => /\.(ya?ml|json)$/i.test(f))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) fail(origin, `${path} holds no .yaml, .yml or .json file`, 'point it at a Deployment manifest');
  const documents: ManifestDocument[] = [];
  for (const file of files) {
    const shown = file;
    const text = readUserFile(file, rule);
    const docs = parseAllDocuments(text, { prettyErrors: true });
    if (!Array.isArray(docs)) fail(origin, `${shown} is not YAML`, 'fix the file');
    docs.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        const first = doc.errors[0];
        fail(
          origin,
          `${shown}${first?.linePos ? `:${first.linePos[0].line}` : ''}: ${first?.message.split('\n')[0] ?? 'is not valid YAML'}`,
          'fix the YAML',
        );
      }
      const object: unknown = doc.toJS();
      if (object === null || object === undefined) return;
      if (typeof object !== 'object' || Array.isArray(object))
        fail(origin, `${shown}${docs.length > 1 ? `#${i + 1}` : ''} is not a Kubernetes object`, 'fix the file');
      documents.push({ object: object as Record<string, unknown>, where: docs.length > 1 ? `${shown}#${i + 1}` : shown });
    });
  }
  return documents;
}

/**
 * The Deployment for `service`: named `<service>` or `<service>-<color>`, or labelled app=<service>,
 * or the only Deployment when one service is deployed. Checked for what deploy-eks needs.
 */
export function deploymentFor(
  documents: ManifestDocument[],
  service: string,
  serviceCount: number,
  path: string,
  origin: Origin,
): { deployment: V1Deployment; where: string; source: Record<string, unknown> } {
  const deployments = documents.filter((d) => d.object.kind === 'Deployment');
  if (deployments.length === 0) {
    const kinds = [...new Set(documents.map((d) => String(d.object.kind ?? 'no kind')))];
    fail(
      origin,
      `${path} has no Deployment (found: ${kinds.join(', ') || 'nothing'})`,
      'give a manifest with a kind: Deployment (apps/v1), or leave the input empty to copy the live color',
    );
  }
  const nameOf = (d: ManifestDocument) => String((d.object.metadata as { name?: unknown } | undefined)?.name ?? '');
  const appOf = (d: ManifestDocument) => String((d.object.metadata as { labels?: Record<string, unknown> } | undefined)?.labels?.app ?? '');
  const match =
    deployments.find((d) => nameOf(d) === service) ??
    deployments.find((d) => nameOf(d) === `${service}-blue` || nameOf(d) === `${service}-green`) ??
    deployments.find((d) => appOf(d) === service) ??
    (serviceCount === 1 && deployments.length === 1 ? deployments[0] : undefined);
  if (!match) {
    fail(
      origin,
      `${path} has no Deployment for service ${service} (have: ${deployments.map(nameOf).join(', ')})`,
      `name it ${service} or label it app: ${service}`,
    );
  }
  const object = match.object as V1Deployment & { apiVersion?: string };
  if (object.apiVersion !== 'apps/v1')
    fail(
      origin,
      `${match.where}: Deployment ${nameOf(match)} has apiVersion ${JSON.stringify(object.apiVersion)}, expected apps/v1`,
      'use apiVersion: apps/v1',
    );
  const containers = object.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    fail(
      origin,
      `${match.where}: Deployment ${nameOf(match)} has no spec.template.spec.containers`,
      'add the containers of the pod template',
    );
  }
  return { deployment: structuredClone(object), where: match.where, source: match.object };
}
