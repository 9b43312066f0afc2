// KUBECONFIG as kubectl reads it: a list of files separated by ':' (the runners are Linux), merged
// in order. The first is named in messages; connect merges the rest.

export interface KubeconfigFiles {
  path: string;
  also: string[];
}

export function kubeconfigFromEnv(value: string | undefined): KubeconfigFiles | undefined {
  const paths = (value ?? '').split(':').filter((p) => p.trim() !== '');
  const [path, ...also] = paths;
  return path === undefined ? undefined : { path, also };
}
