/**
 * Caller information from the V8 stack: Python's `Logger.findCaller` for JavaScript.
 *
 * Capturing a stack is the most expensive thing a logging call can do (measured on Node 20.20:
 * `Error.captureStackTrace` with structured call sites ≈ 3 µs, against well under 1 µs for the rest of a record),
 * so loggers call this only when something needs it: see `state.callerInfo` and `Logger#needsCaller`.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** CPython's answer when no frame can be found. */
export const UNKNOWN_CALLER: CallerInfo = Object.freeze({
  pathname: '(unknown file)',
  lineno: 0,
  funcName: '(unknown function)',
  sinfo: null,
});

/** What `findCaller` returns: Python's `(co_filename, f_lineno, co_name, sinfo)`. */
export interface CallerInfo {
  readonly pathname: string;
  readonly lineno: number;
  readonly funcName: string;
  readonly sinfo: string | null;
}

// Frames in pylogging's own compiled sources are skipped, as CPython skips logging/__init__.py.
const OWN_DIR_URL = new URL('../', import.meta.url).href; // …/build/src/
const OWN_DIR_PATH = dirname(dirname(fileURLToPath(import.meta.url))) + '/';

function isOwn(file: string): boolean {
  return file.startsWith(OWN_DIR_URL) || file.startsWith(OWN_DIR_PATH);
}

/** Node's own loader frames play the part of CPython's importlib `_bootstrap` frames: never the caller. */
function isInternal(file: string | null | undefined): boolean {
  return !file || file.startsWith('node:');
}

function toPath(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

type Site = NodeJS.CallSite;

function captureSites(): Site[] {
  const savedPrepare = Error.prepareStackTrace; // eslint-disable-line @typescript-eslint/unbound-method
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = 200;
    Error.captureStackTrace(holder, captureSites);
    return Array.isArray(holder.stack) ? (holder.stack as Site[]) : [];
  } catch {
    return [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

function funcNameOf(sites: readonly Site[], i: number): string {
  const site = sites[i];
  const name = site?.getFunctionName();
  if (name) return name;
  // A nameless frame whose caller is Node's module loader (or nothing) is module-level code: Python's '<module>'.
  const outer = sites[i + 1];
  return !outer || outer.getFileName()?.startsWith('node:internal/modules') ? '<module>' : '<anonymous>';
}

function frameLine(sites: readonly Site[], i: number): string {
  const site = sites[i];
  const file = site?.getFileName();
  return `  File "${file ? toPath(file) : '<native>'}", line ${site?.getLineNumber() ?? 0}, in ${funcNameOf(sites, i)}\n`;
}

/**
 * Python's `findCaller(stack_info, stacklevel)`: the first frame outside pylogging (and outside Node's internals),
 * then `stacklevel - 1` more such frames outward, stopping at the outermost one.
 */
export function findCaller(stackInfo = false, stacklevel = 1): CallerInfo {
  const sites = captureSites();
  let found = -1;
  let remaining = stacklevel;
  for (let i = 0; i < sites.length; i++) {
    const file = sites[i]?.getFileName();
    if (isInternal(file) || isOwn(file as string)) continue;
    found = i;
    if (--remaining <= 0) break;
  }
  if (found < 0) return UNKNOWN_CALLER;
  const site = sites[found] as Site;
  let sinfo: string | null = null;
  if (stackInfo) {
    let text = 'Stack (most recent call last):\n';
    for (let i = sites.length - 1; i >= found; i--) {
      if (!isInternal(sites[i]?.getFileName())) text += frameLine(sites, i);
    }
    sinfo = text.slice(0, -1);
  }
  return {
    pathname: toPath(site.getFileName() ?? '(unknown file)'),
    lineno: site.getLineNumber() ?? 0,
    funcName: funcNameOf(sites, found),
    sinfo,
  };
}

/** The stack of the code that called into pylogging, outermost first, for the `--- Logging error ---` report. */
export function callStackText(): string {
  const sites = captureSites();
  let text = '';
  for (let i = sites.length - 1; i >= 0; i--) {
    const file = sites[i]?.getFileName();
    if (isInternal(file) || isOwn(file as string)) continue;
    text += frameLine(sites, i);
  }
  return text;
}
