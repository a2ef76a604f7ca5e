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

// measured (Node 20.20): `fileURLToPath` ≈ 0.5 µs a call; a program logs from few files, so each is converted once.
const paths = new Map<string, string>();
const MAX_PATHS = 1000;

function toPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  let path = paths.get(file);
  if (path === undefined) {
    try {
      path = fileURLToPath(file);
    } catch {
      path = file;
    }
    if (paths.size >= MAX_PATHS) paths.clear();
    paths.set(file, path);
  }
  return path;
}

type Site = NodeJS.CallSite;
/** A function whose frame (and every frame above it) a capture leaves out. */
export type StackTop = (...args: never[]) => unknown;

// How many frames a record's first capture takes, counted from the logger method that called `_log` (see `skip`
// below): that method, the caller, and the frame outside the caller's (which names module-level code). The cost of
// a capture grows with its frames (measured, Node 20.20: ≈ 0.25 µs a frame on top of ≈ 2 µs; the old fixed limit
// of 200 made a record 40 frames deep 60% slower), so capture few, and widen only when the walk runs past the end.
const FIRST_LIMIT = 4;
/** The most frames ever looked at (as before: a caller further out than this is not found). */
const MAX_LIMIT = 200;

/**
 * The structured stack above `captureSites`' caller, or above the most recent call of `skip` (which leaves out
 * pylogging's own frames without capturing them); when `skip` is not on the stack, V8 captures nothing, and the
 * stack above `captureSites` is taken instead.
 */
function captureSites(limit = MAX_LIMIT, skip?: StackTop): Site[] {
  const savedPrepare = Error.prepareStackTrace; // eslint-disable-line @typescript-eslint/unbound-method
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = limit;
    Error.captureStackTrace(holder, skip ?? captureSites);
    let sites = holder.stack;
    if (skip && Array.isArray(sites) && sites.length === 0) {
      Error.captureStackTrace(holder, captureSites);
      sites = holder.stack;
    }
    return Array.isArray(sites) ? (sites as Site[]) : [];
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
 * then `stacklevel - 1` more such frames outward, stopping at the outermost one. `skip`, a pylogging function on
 * the stack (`Logger#_log`), lets the first capture leave out the frames above it: they are pylogging's own.
 */
export function findCaller(stackInfo = false, stacklevel = 1, skip?: StackTop): CallerInfo {
  // stack_info prints every frame: one full capture. Otherwise capture a few frames and widen only when the walk
  // (or the frame outside the caller's, which names module-level code) runs past the end of a truncated capture.
  // The full capture never skips, so the 200 frames it sees are the ones it always saw.
  for (let limit = stackInfo ? MAX_LIMIT : FIRST_LIMIT; ; limit = Math.min(limit * 4, MAX_LIMIT)) {
    const sites = captureSites(limit, limit < MAX_LIMIT ? skip : undefined);
    const truncated = limit < MAX_LIMIT && sites.length >= limit;
    let found = -1;
    let remaining = stacklevel;
    for (let i = 0; i < sites.length; i++) {
      const file = sites[i]?.getFileName();
      if (isInternal(file) || isOwn(file as string)) continue;
      found = i;
      if (--remaining <= 0) break;
    }
    if (truncated && (remaining > 0 || found + 1 >= sites.length)) continue;
    return callerAt(sites, found, stackInfo);
  }
}

function callerAt(sites: readonly Site[], found: number, stackInfo: boolean): CallerInfo {
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
