/**
 * Python's exception types that have no JavaScript twin.
 *
 * CPython's `ValueError` becomes a `RangeError` subclass, so `instanceof RangeError` holds (SPEC: constructors throw
 * `TypeError`/`RangeError`) while the `--- Logging error ---` report still prints `ValueError: …` as CPython does.
 * CPython's `TypeError` is JavaScript's own `TypeError`.
 */

/** Python's `ValueError`: the right type, the wrong value (an unknown level name, a bad format string). */
export class ValueError extends RangeError {
  /** `'ValueError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'ValueError';
}

/**
 * Python's `KeyError`: a missing mapping key (`'%(a)s' % {}`), or an `extra` key that would overwrite a record
 * attribute. Its message is the repr of the key, as `str(KeyError('a'))` is `'a'` in Python.
 */
export class KeyError extends RangeError {
  /** `'KeyError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'KeyError';
}

/** Python's `LookupError` for an unknown text encoding (`LookupError: unknown encoding: foo`). */
export class LookupError extends RangeError {
  /** `'LookupError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'LookupError';
}

/** Python's `UnicodeEncodeError`: a character the handler's encoding cannot represent, with `errors='strict'`. */
export class UnicodeEncodeError extends RangeError {
  /** `'UnicodeEncodeError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'UnicodeEncodeError';
}

/** Python's `NotImplementedError`: an abstract hook (`Handler.emit`) that a subclass must override. */
export class NotImplementedError extends Error {
  /** `'NotImplementedError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'NotImplementedError';
}

/**
 * Python's `OverflowError`: a number outside what a conversion accepts (`'%d' % inf`, `'%c' % -1`,
 * `format(2**64, 'c')`, a `*` width past `Py_ssize_t`). A `RangeError`, like {@link ValueError}.
 */
export class OverflowError extends RangeError {
  /** `'OverflowError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'OverflowError';
}

/** Python's `AttributeError`: a `{x.missing}` field reading an attribute the value lacks. */
export class AttributeError extends Error {
  /** `'AttributeError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'AttributeError';
}

/** Python's `IndexError`: `{0}` with only keyword values, or `{args[9]}` past the end of a list or string. */
export class IndexError extends RangeError {
  /** `'IndexError'`: the Python class name, printed before the message in `--- Logging error ---` reports. */
  override name = 'IndexError';
}

/**
 * Records a handler accepted were dropped: its bounded backlog was full, the peer stayed unreachable when
 * `flush()`/`close()` gave up, or the process exited first. Network handlers report it through `handleError` once
 * per episode, with the count; override `handleError` and check `err.code` to react.
 */
export class RecordsDroppedError extends Error {
  /** `'RecordsDroppedError'`, the name printed in the `--- Logging error ---` report. */
  override name = 'RecordsDroppedError';
  /** `'ERR_PYLOGGING_RECORDS_DROPPED'`: branch on this in a `handleError` override rather than on the message. */
  readonly code = 'ERR_PYLOGGING_RECORDS_DROPPED';
  constructor(
    message: string,
    /** How many records this report covers. */
    readonly dropped: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
