// A loopback-only guard for Node.js: import it before anything that may open a connection. Every socket
// connection, DNS lookup and UDP socket to a host that is not loopback is refused and recorded in
// `outside`. `guardSelfTest()` proves the guard works (it must catch two tries of its own), so a guard
// that stopped working fails a test instead of passing it silently.
import net from 'net';
import dns from 'dns';
import dgram from 'dgram';

export const outside = [];

function isLoopback(host) {
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

function refuse(what) {
  outside.push(what);
  return new Error(`loopback guard: refused ${what}`);
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect passes its normalised [options, callback] as the first argument.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host = 'localhost';
  let port = '';
  if (first && typeof first === 'object') {
    if (first.path) return originalConnect.apply(this, args); // a Unix socket: local by nature
    host = first.host ?? 'localhost';
    port = first.port;
  } else {
    port = first;
    if (typeof args[1] === 'string') host = args[1];
  }
  if (!isLoopback(host)) {
    const error = refuse(`a connection to ${host}:${port}`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

const originalLookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  const callback = rest[rest.length - 1];
  if (!isLoopback(hostname)) {
    const error = refuse(`a DNS lookup of ${hostname}`);
    process.nextTick(() => callback(error));
    return {};
  }
  return originalLookup.call(this, hostname, ...rest);
};
const originalPromisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(hostname, ...rest) {
  if (!isLoopback(hostname)) throw refuse(`a DNS lookup of ${hostname}`);
  return originalPromisesLookup.call(this, hostname, ...rest);
};
dgram.createSocket = function guardedCreateSocket() {
  throw refuse('a UDP socket');
};

export async function guardSelfTest() {
  const tries = ['http://192.0.2.1:8080/', 'https://block-indexer.litgateway.com/get_most_recent_valid_block'];
  for (const url of tries) {
    await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
      () => { throw new Error(`loopback guard: ${url} was reached`); },
      () => undefined,
    );
  }
  const caught = outside.splice(0);
  if (!caught.some((w) => w.includes('192.0.2.1')) || !caught.some((w) => w.includes('litgateway'))) {
    throw new Error(`loopback guard did not see the self-test's connections: ${JSON.stringify(caught)}`);
  }
  return caught;
}
