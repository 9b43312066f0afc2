// Preloaded into a child process (NODE_OPTIONS=--require …) by proxy tests: names under .bed.test
// (and kubernetes.default.svc) resolve to 127.0.0.1, as the recording proxy resolves them, so a
// request NO_PROXY sends direct reaches the bed server too. Nothing else is changed.
const dns = require('node:dns');
const original = dns.lookup;
const bed = (host) => typeof host === 'string' && (host.endsWith('.bed.test') || host === 'kubernetes.default.svc');
dns.lookup = function lookup(host, options, callback) {
  if (!bed(host)) return original.apply(this, arguments);
  const cb = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
};
