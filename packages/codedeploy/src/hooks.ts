// The lifecycle hooks of an ECS deployment, apart from the AppSpec parser (yaml, zod) so that
// deploy-ecs's inputs can check hook names without loading it in the entry bundle.

/** The lifecycle hooks of an ECS deployment, in the order CodeDeploy runs them. */
export const hookNames = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'] as const;
export type HookName = (typeof hookNames)[number];
