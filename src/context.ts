/**
 * `pylogging/context`: request-scoped fields on every record, Python's `contextvars` on Node's `AsyncLocalStorage`.
 * See docs/context.md.
 * @module pylogging/context
 * @packageDocumentation
 */
export {
  withContext,
  bindContext,
  unbindContext,
  clearContext,
  getContext,
  type ContextFields,
} from './context/async-context.js';
