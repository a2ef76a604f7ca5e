/**
 * Pins the public types: this file is compiled with the rest of the tests (`npm run build`) and never run.
 * Each `@ts-expect-error` line must stay an error; if the API loosens, the build fails.
 */
import {
  basicConfig, FileHandler, Formatter, getLogger, kw, LoggerAdapter, settings, StreamHandler, INFO, type LogKeywords,
  type LogRecord,
} from 'pylogging';
import { RotatingFileHandler, TimedRotatingFileHandler } from 'pylogging/handlers';

const log = getLogger('types');
log.info('any %s args %d', 'x', 1, { a: 1 }, [1], null, undefined);
log.error('with keywords', kw({ exc_info: new Error('e'), extra: { user: 'u' }, stack_info: true, stacklevel: 2 }));
// @ts-expect-error stacklevel is a number
kw({ stacklevel: 'two' });
// @ts-expect-error unknown keyword
kw({ excinfo: true });
const k: LogKeywords = { exc_info: true };
void k;

// @ts-expect-error levels are numbers or names, not booleans
log.setLevel(true);
log.setLevel('INFO');
log.setLevel(INFO);

basicConfig({ level: 'DEBUG', format: '%(message)s', style: '%' });
// @ts-expect-error style is one of % { $
basicConfig({ style: '#' });

new Formatter('%(message)s', '%H:%M', '%', true, { defaults: { a: 1 } });
new Formatter('{message}', { style: '{', datefmt: null });
// @ts-expect-error style must be a style character
new Formatter('x', { style: 'x' });

new FileHandler('a.log', { mode: 'a', delay: true, encoding: 'utf-8', errors: 'strict', bufferSize: 0 });
// @ts-expect-error delay is a boolean
new FileHandler('a.log', { delay: 'yes' });
new RotatingFileHandler('a.log', { maxBytes: 1, backupCount: 2 });
new TimedRotatingFileHandler('a.log', { when: 'midnight', atTime: '02:30', utc: true });
// @ts-expect-error atTime is a string or a time object
new TimedRotatingFileHandler('a.log', { atTime: 230 });

const h = new StreamHandler(process.stdout);
const p: Promise<void> = h.flush();
void p;
settings.raiseExceptions = false;
// @ts-expect-error callerInfo is 'auto' | 'always' | 'never'
settings.callerInfo = 'sometimes';

new LoggerAdapter(log, { requestId: 1 }, { merge_extra: true }).info('x');
const f = (r: LogRecord): string => `${r.levelname} ${r.funcName ?? ''} ${r.created.toFixed(3)}`;
void f;
