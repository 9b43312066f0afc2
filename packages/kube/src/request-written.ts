// When the next HTTP request this process sends is out: its body written to the socket (the
// request's 'finish'). connect.ts starts loading client-node only then, so a few hundred ms of
// module evaluation on this one thread no longer hold EKS DescribeCluster back, and run while
// AWS answers instead of before the request even leaves.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

const channel = 'http.client.request.start';

export interface RequestWritten {
  /** Resolves once the next request is written (or closed unwritten), or on `settle()`; never rejects. */
  written: Promise<void>;
  /** Resolve now and stop watching: no request is coming, or it no longer matters. */
  settle(): void;
}

export function nextRequestWritten(): RequestWritten {
  const { promise, resolve } = Promise.withResolvers<void>();
  const onStart = (message: unknown): void => {
    unsubscribe(channel, onStart);
    const request = (message as { request: ClientRequest }).request;
    request.once('finish', () => resolve());
    // A request that fails before it is written (refused, reset) closes without 'finish'.
    request.once('close', () => resolve());
  };
  subscribe(channel, onStart);
  return {
    written: promise,
    settle() {
      unsubscribe(channel, onStart);
      resolve();
    },
  };
}
