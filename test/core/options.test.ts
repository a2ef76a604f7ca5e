/**
 * Options objects are closed (SPEC; issue #17 item 12): an unknown key is a TypeError that names it and suggests the
 * right name, thrown before anything is opened, never silently ignored.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHandler, Formatter, getLogger, LoggerAdapter, NullHandler } from '../../src/index.js';
import {
  DatagramHandler, HTTPHandler, MemoryHandler, NTEventLogHandler, Queue, QueueListener, RotatingFileHandler,
  SMTPHandler, SocketHandler, SysLogHandler, TimedRotatingFileHandler, WatchedFileHandler,
} from '../../src/handlers.js';
import { WorkerQueueListener } from '../../src/handlers/worker-listener.js';
import { LogRecordReceiver } from '../../src/receiver.js';
import { checkOptions, closestKey } from '../../src/internal/options.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-options-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => join(dir, name);

// [what, construct with the bad key, expected message]
const CASES: [string, () => unknown, string][] = [
  ['QueueListener with a Python name', () => new QueueListener(new Queue(), new NullHandler(), { respect_handler_level: true } as never),
    "QueueListener: unknown option 'respect_handler_level' (did you mean 'respectHandlerLevel'?)"],
  ['FileHandler', () => new FileHandler(file('a.log'), { encodng: 'utf-8' } as never), "FileHandler: unknown option 'encodng' (did you mean 'encoding'?)"],
  ['WatchedFileHandler', () => new WatchedFileHandler(file('b.log'), { Delay: true } as never), "WatchedFileHandler: unknown option 'Delay' (did you mean 'delay'?)"],
  ['RotatingFileHandler', () => new RotatingFileHandler(file('c.log'), { maxbytes: 10 } as never), "RotatingFileHandler: unknown option 'maxbytes' (did you mean 'maxBytes'?)"],
  ['TimedRotatingFileHandler', () => new TimedRotatingFileHandler(file('d.log'), { backup_count: 3 } as never),
    "TimedRotatingFileHandler: unknown option 'backup_count' (did you mean 'backupCount'?)"],
  ['Formatter', () => new Formatter('%(message)s', { datefm: '%H' } as never), "Formatter: unknown option 'datefm' (did you mean 'datefmt'?)"],
  ['LoggerAdapter', () => new LoggerAdapter(getLogger('o'), null, { mergeExtra: true } as never), "LoggerAdapter: unknown option 'mergeExtra' (did you mean 'merge_extra'?)"],
  ['MemoryHandler', () => new MemoryHandler(10, { flush_level: 40 } as never), "MemoryHandler: unknown option 'flush_level' (did you mean 'flushLevel'?)"],
  ['SocketHandler', () => new SocketHandler('localhost', 9, { retries: 3 } as never), "SocketHandler: unknown option 'retries'"],
  ['SocketHandler thread settings', () => new SocketHandler('localhost', 9, { thread: { buferSize: 4096 } } as never),
    "SocketHandler thread: unknown option 'buferSize' (did you mean 'bufferSize'?)"],
  ['DatagramHandler', () => new DatagramHandler('localhost', 9, { capacty: 3 } as never), "DatagramHandler: unknown option 'capacty' (did you mean 'capacity'?)"],
  ['SysLogHandler', () => new SysLogHandler({ facilty: 'user' } as never), "SysLogHandler: unknown option 'facilty' (did you mean 'facility'?)"],
  ['SysLogHandler rfc5424 settings', () => new SysLogHandler({ rfc5424: { app_name: 'x' } } as never),
    "SysLogHandler rfc5424: unknown option 'app_name' (did you mean 'appName'?)"],
  ['SMTPHandler', () => new SMTPHandler('localhost', 'a@x.test', 'b@x.test', 's', { implicitTls: true } as never),
    "SMTPHandler: unknown option 'implicitTls' (did you mean 'implicitTLS'?)"],
  ['SMTPHandler batch settings', () => new SMTPHandler('localhost', 'a@x.test', 'b@x.test', 's', { batch: { max_records: 5 } } as never),
    "batch: unknown option 'max_records' (did you mean 'maxRecords'?)"],
  ['HTTPHandler', () => new HTTPHandler('localhost', '/log', { methd: 'POST' } as never), "HTTPHandler: unknown option 'methd' (did you mean 'method'?)"],
  ['NTEventLogHandler', () => new NTEventLogHandler('app', { dllName: 'x.dll' } as never), "NTEventLogHandler: unknown option 'dllName' (did you mean 'dllname'?)"],
  ['LogRecordReceiver', () => new LogRecordReceiver({ max_connections: 5 } as never),
    "LogRecordReceiver: unknown option 'max_connections' (did you mean 'maxConnections'?)"],
  ['WorkerQueueListener handler spec', () => new WorkerQueueListener([{ class: 'FileHandler', filname: 'x.log' } as never]),
    "WorkerQueueListener handler spec: unknown option 'filname' (did you mean 'filename'?)"],
  ['WorkerQueueListener', () => new WorkerQueueListener([], { on_full: 'drop' } as never), "WorkerQueueListener: unknown option 'on_full' (did you mean 'onFull'?)"],
];

describe('an unknown option key is a TypeError naming it', () => {
  for (const [what, make, message] of CASES) {
    test(what, () => assert.throws(make, (e: unknown) => e instanceof TypeError && e.message === message));
  }

  test('nothing is opened first: the file of a refused FileHandler does not exist', () => {
    assert.throws(() => new FileHandler(file('never.log'), { bogus: 1 } as never), TypeError);
    assert.throws(() => new RotatingFileHandler(file('never2.log'), { bogus: 1 } as never), TypeError);
    assert.equal(existsSync(file('never.log')), false);
    assert.equal(existsSync(file('never2.log')), false);
  });

  test('a subclass of yours may take options of its own: only pylogging\'s own classes are checked', async () => {
    class Tagged extends FileHandler {
      constructor(path: string, options: { tag: string }) {
        super(path, { tag: options.tag } as never);
      }
    }
    const h = new Tagged(file('tagged.log'), { tag: 'x' });
    await h.close();
  });

  test('options must be an object', () => {
    assert.throws(() => checkOptions('X', 5, ['a']), /X: options must be an object, got number/);
    assert.throws(() => checkOptions('X', null, ['a']), /got null/);
    assert.throws(() => checkOptions('X', ['a'], ['a']), /got an array/);
    checkOptions('X', undefined, ['a']);
  });

  test('suggestions: camelCase of a Python name, other case, near misses; none when far', () => {
    assert.equal(closestKey('respect_handler_level', ['respectHandlerLevel']), 'respectHandlerLevel');
    assert.equal(closestKey('MAXBYTES', ['maxBytes']), 'maxBytes');
    assert.equal(closestKey('bacupCount', ['maxBytes', 'backupCount']), 'backupCount');
    assert.equal(closestKey('colour', ['maxBytes', 'backupCount']), undefined);
  });
});
