// Moved to packages/registry so deploy-eks (and later deploy-ecs) share one registry client.
export * from '@expeditor/registry/reference';
