/**
 * Filter and Filterer: Python's record filtering, including filter functions (3.2) and filters that return a
 * replacement record (3.12).
 */
import { LogRecord } from './record.js';
import type { PySignature } from './py-signature.js';

/** An object with a `filter(record)` method. */
export interface FilterLike {
  /**
   * Decides whether `record` is logged: a falsy result drops it, a `LogRecord` replaces it for later filters and
   * handlers (CPython 3.12), anything else passes it unchanged.
   */
  filter(record: LogRecord): boolean | LogRecord | null | undefined;
}

/** A filter function: falsy drops the record; a returned `LogRecord` replaces it for later filters and handlers. */
export type FilterFunction = (record: LogRecord) => unknown;

/** Anything `addFilter` accepts. */
export type FilterType = FilterLike | FilterFunction;

/**
 * Python's `Filter(name)`: passes records from the logger `name` and its descendants (`Filter('a.b')` passes
 * `a.b` and `a.b.c`, not `a.bc`); an empty name passes everything.
 */
export class Filter implements FilterLike {
  /** The logger name whose records (and whose descendants' records) pass; `''` passes everything. */
  readonly name: string;
  /** `name.length`, kept as CPython's `Filter.nlen` is, for subclasses that compare prefixes themselves. */
  readonly nlen: number;

  /** Python's `Filter(name='')`, for dictConfig. */
  static pySignature: PySignature | null = { params: ['name'], build: (C, kw) => new C(kw['name'] ?? '') };
  constructor(name = '') {
    this.name = name;
    this.nlen = name.length;
  }

  /** True when the record passes. Override to filter on other fields (or to modify the record). */
  filter(record: LogRecord): boolean | LogRecord {
    const nlen = this.nlen;
    if (nlen === 0) return true;
    const rn = record.name;
    if (this.name === rn) return true;
    if (!rn.startsWith(this.name)) return false;
    return rn.charCodeAt(nlen) === 46; // '.'
  }
}

/** Python's `Filterer`: the base of loggers and handlers, holding an ordered list of filters. */
export class Filterer {
  /** The filters in the order they were added. */
  filters: FilterType[] = [];

  /** Adds `filter` unless it is already present. */
  addFilter(filter: FilterType): void {
    if (!this.filters.includes(filter)) this.filters.push(filter);
  }

  /** Removes `filter` if present. */
  removeFilter(filter: FilterType): void {
    const i = this.filters.indexOf(filter);
    if (i >= 0) this.filters.splice(i, 1);
  }

  /**
   * Runs the filters in order. Returns `false` as soon as one rejects the record; otherwise the record, or the
   * last replacement a filter returned (3.12 semantics).
   */
  filter(record: LogRecord): LogRecord | false {
    const filters = this.filters;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i] as FilterType;
      const result: unknown = typeof f === 'function' ? f(record) : f.filter(record);
      if (!result) return false;
      if (result instanceof LogRecord) record = result;
    }
    return record;
  }
}
