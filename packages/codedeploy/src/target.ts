// CodeDeploy names an ECS deployment's one target `cluster:service`. Pure functions: no network.

/** The target id CodeDeploy gives a service's deployments, or undefined without both names. */
export function ecsTargetId(cluster: string | undefined, service: string | undefined): string | undefined {
  return cluster && service ? `${cluster}:${service}` : undefined;
}

/** The cluster and service of an ECS target id (the cluster name may itself hold ':' in an ARN). */
export function parseEcsTargetId(targetId: string | undefined): { cluster: string; service: string } | undefined {
  const at = targetId?.lastIndexOf(':') ?? -1;
  if (!targetId || at <= 0 || at === targetId.length - 1) return undefined;
  return { cluster: targetId.slice(0, at), service: targetId.slice(at + 1) };
}
