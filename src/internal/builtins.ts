/**
 * Node's network modules, loaded when a network handler first needs one rather than when `pylogging/handlers` is
 * imported.
 *
 * measured (Node 20.20, shared 2-core VM, median of 15 child processes): importing `node:net`, `http`, `https`,
 * `tls`, `dgram` and `dns/promises` adds ≈ 30 ms to a process, a fifth of a program that only logs to a file.
 * `process.getBuiltinModule` (Node ≥ 20.16, so always there under `engines` ≥ 20.19) is synchronous, so
 * constructors and `instanceof` tests can use it where they stand.
 */
import type * as Dgram from 'node:dgram';
import type * as DnsPromises from 'node:dns/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Net from 'node:net';
import type * as Tls from 'node:tls';

let netModule: typeof Net | undefined;
let tlsModule: typeof Tls | undefined;
let dgramModule: typeof Dgram | undefined;
let dnsModule: typeof DnsPromises | undefined;
let httpModule: typeof Http | undefined;
let httpsModule: typeof Https | undefined;

/** `node:net`, loaded on first call. */
export function net(): typeof Net {
  return (netModule ??= process.getBuiltinModule('node:net'));
}

/** `node:tls`, loaded on first call. */
export function tls(): typeof Tls {
  return (tlsModule ??= process.getBuiltinModule('node:tls'));
}

/** `node:dgram`, loaded on first call. */
export function dgram(): typeof Dgram {
  return (dgramModule ??= process.getBuiltinModule('node:dgram'));
}

/** `node:dns/promises`, loaded on first call. */
export function dns(): typeof DnsPromises {
  return (dnsModule ??= process.getBuiltinModule('node:dns/promises'));
}

/** `node:http`, loaded on first call. */
export function http(): typeof Http {
  return (httpModule ??= process.getBuiltinModule('node:http'));
}

/** `node:https`, loaded on first call. */
export function https(): typeof Https {
  return (httpsModule ??= process.getBuiltinModule('node:https'));
}
