/**
 * Time as `time.time()` gives it: float seconds since the epoch, behind an interface so handlers and tests can
 * inject a clock instead of sleeping or reassigning `Date.now` (STYLE §7).
 */

/** A source of the current time. */
export interface Clock {
  /** Seconds since the epoch as a float, like Python's `time.time()`. */
  now(): number;
}

/** The real clock. Differs from CPython: millisecond resolution (`Date.now()`), where `time.time()` has ~µs. */
export const systemClock: Clock = {
  now: () => Date.now() / 1000,
};
