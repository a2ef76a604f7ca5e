/**
 * CPython's reconnect backoff (`SocketHandler.createSocket`, handlers.py), written once for every network handler:
 * the attributes live on the handler (Python code reads and assigns them there) and are read and written here.
 */

/** The handler attributes of CPython's backoff, all in seconds. */
export interface RetryState {
  /** First backoff after a failed connect (CPython 1.0). */
  retryStart: number;
  /** Growth per further failure (CPython 2.0). */
  retryFactor: number;
  /** Longest backoff (CPython 30.0). */
  retryMax: number;
  /** Epoch seconds before which no connect is tried; null after a success (or before any failure). */
  retryTime: number | null;
  /** The current backoff; CPython sets it only on failure. */
  retryPeriod: number | null;
}

/** CPython: `attempt = self.retryTime is None or now >= self.retryTime`. */
export function mayAttempt(r: RetryState, now: number): boolean {
  return r.retryTime === null || now >= r.retryTime;
}

/** CPython's failure branch of `createSocket()`: the first failure waits `retryStart`, each next one `×retryFactor`. */
export function backOff(r: RetryState, now: number): void {
  if (r.retryTime === null) r.retryPeriod = r.retryStart;
  else r.retryPeriod = Math.min((r.retryPeriod ?? r.retryStart) * r.retryFactor, r.retryMax);
  r.retryTime = now + r.retryPeriod;
}
