/**
 * Python's logging levels: the numbers, the two name maps and `_checkLevel`.
 *
 * The maps are module state, as in CPython: `addLevelName` changes what every formatter prints.
 */
import { ValueError } from './errors.js';
import { repr, str } from './repr.js';
import { bumpGeneration } from './state.js';

/** Python's `logging.CRITICAL` (50). */
export const CRITICAL = 50;
/** Python's `logging.FATAL`, an alias of {@link CRITICAL}. */
export const FATAL = CRITICAL;
/** Python's `logging.ERROR` (40). */
export const ERROR = 40;
/** Python's `logging.WARNING` (30). */
export const WARNING = 30;
/** Python's `logging.WARN`, an alias of {@link WARNING}. */
export const WARN = WARNING;
/** Python's `logging.INFO` (20). */
export const INFO = 20;
/** Python's `logging.DEBUG` (10). */
export const DEBUG = 10;
/** Python's `logging.NOTSET` (0): defer to the parent logger. */
export const NOTSET = 0;

/** A level: its number, or a registered name such as `'INFO'`. */
export type Level = number | string;

const levelToName = new Map<number, string>([
  [CRITICAL, 'CRITICAL'],
  [ERROR, 'ERROR'],
  [WARNING, 'WARNING'],
  [INFO, 'INFO'],
  [DEBUG, 'DEBUG'],
  [NOTSET, 'NOTSET'],
]);

// Insertion order is CPython's `_nameToLevel` order, which getLevelNamesMapping() exposes.
const nameToLevel = new Map<string, number>([
  ['CRITICAL', CRITICAL],
  ['FATAL', FATAL],
  ['ERROR', ERROR],
  ['WARN', WARNING],
  ['WARNING', WARNING],
  ['INFO', INFO],
  ['DEBUG', DEBUG],
  ['NOTSET', NOTSET],
]);

// levelNameOf's memory of its last answer (addLevelName forgets it).
let lastLevel = NaN;
let lastLevelName = '';

/**
 * Associates `levelName` with `level` in both directions, as Python's `addLevelName`. Old names of the level stay
 * registered (`addLevelName(20, 'INFORMATION')` keeps `getLevelName('INFO') === 20`).
 */
export function addLevelName(level: number, levelName: string): void {
  levelToName.set(level, levelName);
  lastLevel = NaN; // levelNameOf's memory
  nameToLevel.set(levelName, level);
  bumpGeneration(); // compiled per-level prefixes (syslog PRI, cached names) depend on the maps
}

/**
 * Python's `getLevelName`: the name of a level number, the number of a level name, else `'Level <x>'`
 * (`getLevelName(15)` is `'Level 15'`, `getLevelName('debug')` is `'Level debug'`).
 */
export function getLevelName(level: number): string;
export function getLevelName(level: string): number | string;
export function getLevelName(level: unknown): number | string;
export function getLevelName(level: unknown): number | string {
  if (typeof level === 'number') {
    const name = levelToName.get(level);
    if (name !== undefined) return name;
  } else if (typeof level === 'string') {
    const n = nameToLevel.get(level);
    if (n !== undefined) return n;
  }
  return `Level ${level === null || level === undefined ? 'None' : str(level)}`;
}

/** The name for a level number, for `LogRecord.levelname` (the hot path: no string building when registered). */
export function levelNameOf(level: number): string {
  // A program logs at one or two levels most of the time: the last answer saves a Map lookup a record (1.9 % of a
  // QueueHandler call's logging thread in perf, with splitPath's, Node 20.20).
  if (level === lastLevel) return lastLevelName;
  const name = levelToName.get(level);
  if (name === undefined) return `Level ${level}`;
  lastLevel = level;
  lastLevelName = name;
  return name;
}

/** Python's `getLevelNamesMapping()` (3.11): a new copy of the name → number map on every call. */
export function getLevelNamesMapping(): Record<string, number> {
  return Object.fromEntries(nameToLevel);
}

/**
 * Python's `_checkLevel`: a number passes as is (no range check, as CPython), a registered name becomes its
 * number, anything else throws CPython's error.
 * @throws {ValueError} `Unknown level: 'info'` for an unregistered name.
 * @throws {TypeError} `Level not an integer or a valid string: <value>` for other types.
 */
export function checkLevel(level: unknown): number {
  if (typeof level === 'number') {
    if (!Number.isInteger(level)) throw new TypeError(`Level not an integer or a valid string: ${String(level)}`);
    return level;
  }
  if (typeof level === 'boolean') return level ? 1 : 0; // Python: bool is an int
  if (typeof level === 'string') {
    const n = nameToLevel.get(level);
    if (n === undefined) throw new ValueError(`Unknown level: ${repr(level)}`);
    return n;
  }
  throw new TypeError(`Level not an integer or a valid string: ${repr(level)}`);
}
