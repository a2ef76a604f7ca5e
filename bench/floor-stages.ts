/**
 * Where the synchronous FileHandler's time goes between two `write(2)` calls (issue 18's floor row): the floor, then
 * the same write after each stage of a logging call is added, in one process, in interleaved rounds.
 *
 * 1. the floor: `fs.writeSync` of a ready-made line;
 * 1b. no logging library: the clock read and the line concatenated from its pieces before the write, the least any
 *    logger does (it bounds what "a fraction of the floor" a logger can reach on a given machine);
 * 1c. the same line's bytes written by hand into one reused Buffer (its constant parts copied from ready bytes, the
 *    numbers as digits) and that Buffer written: the cheapest way to make the line we know of, no string at all;
 * 2. a `LogRecord` (CPython's 21 attributes, the clock read) made before the same write;
 * 3. the logging call through `Logger` → `FileHandler` with a formatter that returns a ready-made line;
 * 4. the same with the message merged (`getMessage()`, Python's `%`);
 * 5. the whole default format (`asctime`, `levelname`, `name`): the row that issue 18 compares with the floor.
 *
 * Each stage's text has the same length as the floor's line, so the writes cost the same. The work between writes
 * runs with cold caches and TLB (every system call flushes the TLB under PTI), so a stage costs several times what
 * it costs in a loop without writes; this table measures it where it matters.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Formatter, INFO, LogRecord } from '../src/index.js';
import { MSG, NAME, USER, tmpPath } from './common.js';
import { fileHandlerContender, floorContender, sampleLine } from './reference.js';
import type { Contender } from './runner.js';

/** The text of stage 3: a ready-made line, whatever the record. */
class ReadyLine extends Formatter {
  override format(): string {
    return LINE;
  }
}

/** Stage 4: the merged message behind a fixed prefix of the default format's width. */
class MessageOnly extends Formatter {
  override format(record: LogRecord): string {
    return PREFIX + record.getMessage();
  }
}

const PREFIX = `2026-01-05 10:00:00,123 INFO ${NAME}: `;
// FileHandler adds the terminator: the line without its newline.
const LINE = sampleLine(7).slice(0, -1);

// Stage 1c's pieces: the line `${DATE},mmm${HEAD}${i}${MIDDLE}${USER}\n`, the floor's text.
const BYTES = Buffer.alloc(256);
const DATE = Buffer.from(PREFIX.slice(0, 19));
const HEAD = Buffer.from(`${PREFIX.slice(23)}query took `);
const MIDDLE = Buffer.from(' ms for user ');
const USER_BYTES = Buffer.from(USER);

function copyBytes(to: Buffer, at: number, from: Buffer): number {
  for (let i = 0; i < from.length; i++) to[at + i] = from[i] as number;
  return at + from.length;
}

/** `String(n)`'s digits for a whole number below 2 ** 31, written at `at`; returns where they end. */
function digits(to: Buffer, at: number, n: number): number {
  let len = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) len++;
  for (let i = at + len - 1; i >= at; i--) {
    const x = (n / 10) | 0;
    to[i] = 0x30 + n - x * 10;
    n = x;
  }
  return at + len;
}

/** The stages, the floor first; bench/index.ts prints each as a fraction of the floor. */
export function floorStageContenders(): Contender[] {
  let fd = -1;
  const line = sampleLine(7);
  // Stored where the loop cannot see its end, so the record is really made (not removed as unused).
  let _kept: LogRecord | null = null;
  // each stage its own descriptor: the rounds interleave the stages, and each teardown closes the one its setup opened
  let bare = -1;
  let bytesFd = -1;
  let _now = 0;
  return [
    floorContender(),
    {
      name: '+ the clock and a concatenated line (no library)',
      setup: () => void (bare = openSync(tmpPath('stage-bare.log'), 'a')),
      run: (k) => {
        for (let i = 0; i < k; i++) {
          _now = Date.now();
          writeSync(bare, PREFIX + 'query took ' + i + ' ms for user ' + USER + '\n');
        }
      },
      teardown: () => closeSync(bare),
    },
    {
      name: '+ the clock and the line as bytes in a reused Buffer (no library)',
      setup: () => void (bytesFd = openSync(tmpPath('stage-bytes.log'), 'a')),
      run: (k) => {
        for (let i = 0; i < k; i++) {
          _now = Date.now();
          const ms = _now % 1000;
          let p = copyBytes(BYTES, 0, DATE);
          BYTES[p++] = 0x2c; // ','
          BYTES[p++] = 0x30 + ((ms / 100) | 0);
          BYTES[p++] = 0x30 + (((ms / 10) | 0) % 10);
          BYTES[p++] = 0x30 + (ms % 10);
          p = copyBytes(BYTES, p, HEAD);
          p = digits(BYTES, p, i);
          p = copyBytes(BYTES, p, MIDDLE);
          p = copyBytes(BYTES, p, USER_BYTES);
          BYTES[p++] = 0x0a;
          writeSync(bytesFd, BYTES, 0, p);
        }
      },
      teardown: () => closeSync(bytesFd),
    },
    {
      name: '+ a LogRecord (clock read) before each write',
      setup: () => void (fd = openSync(tmpPath('stage-record.log'), 'a')),
      run: (k) => {
        for (let i = 0; i < k; i++) {
          _kept = new LogRecord(NAME, INFO, '(unknown file)', 0, MSG, [i, USER], null);
          writeSync(fd, line);
        }
      },
      teardown: () => {
        closeSync(fd);
        _kept = null;
      },
    },
    // Each stage logs through its own logger; the last one through the bench's, whose name its text shows.
    fileHandlerContender('+ Logger → FileHandler, a ready-made line', 'stage-ready.log', `${NAME}.ready`, new ReadyLine()),
    fileHandlerContender('+ the message merge (getMessage)', 'stage-message.log', `${NAME}.message`, new MessageOnly()),
    fileHandlerContender('+ the whole format: FileHandler as in the floor row', 'stage-format.log'),
  ];
}
