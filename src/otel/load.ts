/**
 * Loads the OpenTelemetry packages, which are optional peer dependencies: synchronously (`require`, so a handler
 * or `instrument()` is usable as soon as it returns) and only when a feature that needs them is constructed or
 * enabled. Importing `pylogging/otel` itself loads none of them.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
const cache = new Map<string, unknown>();

/**
 * `require(pkg)`, cached. The CommonJS build of `@opentelemetry/api` shares its global registry (tracer provider,
 * context manager, propagators) with the ES build an application imports, through a `Symbol.for` key on
 * `globalThis`, so spans started with either are seen here.
 * @throws {Error} naming the package to install and the feature that needs it, the load error as `cause`.
 */
export function requireOtel<T>(pkg: string, feature: string): T {
  const hit = cache.get(pkg);
  if (hit !== undefined) return hit as T;
  let mod: T;
  try {
    mod = requireHere(pkg) as T;
  } catch (err) {
    throw new Error(`${feature} needs the optional peer dependency '${pkg}': npm install ${pkg}`, { cause: err });
  }
  cache.set(pkg, mod);
  return mod;
}
