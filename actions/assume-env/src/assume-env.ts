// main.ts and scripts/sandbox.ts import assumeEnv from here; the edge is action.ts. This file goes
// once they import action.ts.
export { assumeEnv, type AssumeEnvDeps, type AssumeEnvOutputs, type AssumeEnvResult, type VariableSink } from './action.ts';
