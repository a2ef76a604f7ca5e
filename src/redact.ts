/**
 * `pylogging/redact`: a filter that censors secrets in records before handlers see them, with pino's redaction paths
 * and pino's redaction library (`@pinojs/redact`, an optional peer dependency). See docs/redaction.md.
 * @module pylogging/redact
 * @packageDocumentation
 */
export {
  RedactFilter,
  addFilterToAllHandlers,
  DEFAULT_CENSOR,
  type RedactFilterOptions,
  type CensorFunction,
} from './filters/redact.js';
