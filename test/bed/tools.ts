// The bed's workflow tools (installed by test/bed/install/tools.sh) and how to call act so a
// workflow runs here: host mode, Node 24 first on PATH, no network.
import { dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bedBinary } from './cache.ts';

export const actPath = (): string => bedBinary('tools', 'act');
export const actionlintPath = (): string => bedBinary('tools', 'actionlint');
export const zizmorPath = (): string => bedBinary('tools', 'zizmor');

/** A composite action that does nothing; act maps actions/checkout onto it. */
export const checkoutNoop = fileURLToPath(new URL('./tools/checkout-noop', import.meta.url));

/** Runner labels that run on this machine itself (act's `-self-hosted` platform). */
const hostLabels = ['ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04'];
const checkoutVersions = ['v4', 'v5', 'v6'];

export interface ActOptions {
  /** act's action cache and host-mode workspaces; each run or test file its own directory. */
  cacheDir: string;
  /** Further refs of actions/checkout to map (e.g. a pinned SHA); v4, v5 and v6 always are. */
  checkoutRefs?: readonly string[];
  /** Directory holding Node 24; by default that of the running node, which must be 24. */
  nodeDir?: string;
}

export interface Invocation {
  command: string;
  /** act's options; append the event and any `-W`, `--input`, `--secret`, `--env`. */
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * act in host mode: steps run on this machine, and `runs.using: node24` actions run the first
 * `node` on PATH (act bundles none), so Node 24 goes first.
 *
 * actions/checkout: for a checkout of the workflow's own repository (no `repository`/`ref`
 * input, or the same ones) act fetches nothing and copies the working directory into the
 * workspace itself. Any other checkout (another repository, or a `ref`) act would clone, and
 * the clone of actions/checkout with it; `--local-repository actions/checkout@REF=DIR` (matching
 * any host) serves the action from the bed's no-op instead, so nothing is fetched and the
 * workspace stays as it is.
 */
export function actInvocation(options: ActOptions): Invocation {
  const nodeDir = options.nodeDir ?? dirname(process.execPath);
  if (!options.nodeDir && !process.versions.node.startsWith('24.')) {
    throw new Error(`act needs Node 24 for node24 actions; this is ${process.version}. Run with: PATH=$(bash scripts/node24.sh):$PATH`);
  }
  const args: string[] = [];
  for (const label of hostLabels) args.push('-P', `${label}=-self-hosted`);
  args.push('--action-cache-path', options.cacheDir);
  // The cache server would bind the machine's outbound address; workflows here use no cache.
  args.push('--no-cache-server');
  for (const ref of [...checkoutVersions, ...(options.checkoutRefs ?? [])]) {
    args.push('--local-repository', `actions/checkout@${ref}=${checkoutNoop}`);
  }
  return {
    command: actPath(),
    args,
    env: {
      ...process.env,
      PATH: `${nodeDir}${delimiter}${process.env.PATH ?? ''}`,
      // act otherwise asks the network for release notices on every run.
      ACT_DISABLE_VERSION_CHECK: '1',
    },
  };
}
