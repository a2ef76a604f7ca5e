/**
 * Where the synchronous FileHandler's time goes between two `write(2)` calls (issue 18's floor row): the floor, then
 * the same write after each stage of a logging call is added, in one process, in interleaved rounds.
 *
 * 1. the floor: `fs.writeSync` of a ready-made line;
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
import { FileHandler, Formatter, getLogger, INFO, LogRecord, type Logger } from '../src/index.js';
import { MSG, NAME, USER, pyLogger, tmpPath } from './common.js';
import { floorContender, sampleLine } from './reference.js';
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

/**
 * A stage that logs through its own logger (`logger`), so the stages' handlers do not replace one another; stage 5
 * uses the bench's logger, whose name its text shows.
 */
function handlerStage(name: string, logger: string, formatter: Formatter | null): Contender {
  let py: Logger;
  let handler: FileHandler | null = null;
  return {
    name,
    setup: () => {
      handler = new FileHandler(tmpPath(`stage-${logger}.log`));
      py = pyLogger(handler, logger); // sets the bench's Formatter
      if (formatter !== null) handler.setFormatter(formatter);
    },
    run: (k) => {
      for (let i = 0; i < k; i++) py.info(MSG, i, USER);
    },
    teardown: async () => {
      if (handler) {
        getLogger(NAME).removeHandler(handler);
        await handler.close();
      }
    },
  };
}

/** The five stages, the floor first; bench/index.ts prints each as a fraction of the floor. */
export function floorStageContenders(): Contender[] {
  let fd = -1;
  const line = sampleLine(7);
  // Stored where the loop cannot see its end, so the record is really made (not removed as unused).
  let _kept: LogRecord | null = null;
  return [
    floorContender(),
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
    handlerStage('+ Logger → FileHandler, a ready-made line', `${NAME}.ready`, new ReadyLine()),
    handlerStage('+ the message merge (getMessage)', `${NAME}.message`, new MessageOnly()),
    handlerStage('+ the whole format: FileHandler as in the floor row', NAME, null),
  ];
}
