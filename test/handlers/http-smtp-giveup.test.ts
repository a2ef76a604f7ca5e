/**
 * HTTPHandler and SMTPHandler on the shared delivery component (issue #16): against a peer that accepts and never
 * answers (an HTTP server that never responds, an SMTP server that never greets), giving up is bounded in total, not
 * `timeout` once per queued record: `close()`, `shutdown()` and a natural exit finish within the documented bound and
 * report every record they gave up, with the exact count. With the peer down the count is exact too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { getLogger, INFO, RecordsDroppedError, shutdown, type Handler, type LogRecord } from '../../src/index.js';
import { HTTPHandler, type HTTPHandlerOptions } from '../../src/handlers/http.js';
import { SMTPHandler, type SMTPHandlerOptions } from '../../src/handlers/smtp.js';
import { recordsReported, recordsReportedInText, refusedPort, SilentServer, timed } from '../helpers/collectors.js';

const CHILD = fileURLToPath(new URL('../fixtures/giveup-child.js', import.meta.url));

/** `timeout` for these tests, in seconds: the documented bound is this (one request / one reply), not N times it. */
const TIMEOUT_S = 0.5;
/** Slack for a loaded machine (2 cores shared by several test runs). */
const SLACK_S = 2;

type Kind = 'http' | 'smtp';
type Options = HTTPHandlerOptions & SMTPHandlerOptions;

const KINDS: Record<Kind, { title: string; make(port: number, options: Options): Handler & { dropped: number } }> = {
  http: {
    title: 'HTTPHandler, a server that accepts and never answers',
    make: (port, options) => new HTTPHandler(`127.0.0.1:${port}`, '/log', { method: 'POST', ...options }),
  },
  smtp: {
    title: 'SMTPHandler, a server that accepts and never greets',
    make: (port, options) =>
      new SMTPHandler(['127.0.0.1', port], 'app@example.com', ['ops@example.com'], 'log', options),
  },
};

/** A handler of `kind` whose reports are collected instead of printed, attached to its own logger. */
function setUp(kind: Kind, port: number, options: Options, name: string): { h: Handler & { dropped: number }; errors: unknown[]; log: (n: number) => void } {
  const h = KINDS[kind].make(port, options);
  const errors: unknown[] = [];
  h.handleError = (_r: LogRecord, err?: unknown): void => void errors.push(err);
  const logger = getLogger(name);
  logger.setLevel(INFO);
  logger.propagate = false;
  logger.addHandler(h);
  return {
    h,
    errors,
    log: (n) => {
      for (let i = 0; i < n; i++) logger.info('record %d', i);
    },
  };
}

/** Every record was reported, and the reports are few: per episode, not per record. */
function assertAllReported(errors: readonly unknown[], n: number): void {
  assert.equal(recordsReported(errors), n, errors.map(String).join('\n'));
  assert.ok(errors.length <= 2, `${errors.length} reports:\n${errors.slice(0, 5).map(String).join('\n')}`);
  assert.ok(errors.slice(1).every((e) => e instanceof RecordsDroppedError), String(errors[1]));
}

for (const kind of ['http', 'smtp'] as const) {
  describe(KINDS[kind].title, () => {
    for (const n of [20, 1000]) {
      for (const how of ['close', 'shutdown'] as const) {
        test(`${n} queued records: ${how}() finishes within timeout + slack and reports all ${n}`, { timeout: 20_000 }, async () => {
          const server = await SilentServer.start();
          try {
            const { h, errors, log } = setUp(kind, server.port, { timeout: TIMEOUT_S }, `${kind}.silent.${how}.${n}`);
            log(n);
            const took = await timed(() => (how === 'close' ? h.close() : shutdown([h])));
            assert.ok(took < TIMEOUT_S + SLACK_S, `${how}() took ${took.toFixed(1)} s`);
            assertAllReported(errors, n);
            assert.ok(server.connections >= 1);
          } finally {
            await server.close();
          }
        });
      }

      test(`${n} queued records: a natural exit finishes within timeout + slack and reports all ${n}`, { timeout: 20_000 }, async () => {
        const server = await SilentServer.start();
        const options = JSON.stringify({ timeout: TIMEOUT_S, ...(kind === 'http' ? { method: 'POST' } : {}) });
        const child = spawn(process.execPath, [CHILD, kind, String(server.port), String(n), '10', options], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        try {
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const took = await timed(() => once(child, 'exit'));
          assert.equal(child.exitCode, 0, stderr);
          // Node's start-up and the child's import of the library count too: one more slack.
          assert.ok(took < TIMEOUT_S + 2 * SLACK_S, `exit took ${took.toFixed(1)} s`);
          const { reports, records } = recordsReportedInText(stderr);
          assert.equal(records, n, stderr.slice(0, 2000));
          assert.ok(reports <= 2, stderr.slice(0, 2000));
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill();
          await server.close();
        }
      });
    }

    test('with the default timeout (5 s), 20 queued records: close() takes one timeout, not twenty', { timeout: 30_000 }, async () => {
      const server = await SilentServer.start();
      try {
        const { h, errors, log } = setUp(kind, server.port, {}, `${kind}.silent.default`);
        log(20);
        const took = await timed(() => h.close());
        assert.ok(took < 5 + SLACK_S, `close() took ${took.toFixed(1)} s`);
        assertAllReported(errors, 20);
      } finally {
        await server.close();
      }
    });

    test('the peer down (connection refused): 50 records, every one counted, reported per episode', { timeout: 20_000 }, async () => {
      const port = await refusedPort();
      const { h, errors, log } = setUp(kind, port, { timeout: TIMEOUT_S }, `${kind}.down`);
      log(50);
      await h.close();
      assertAllReported(errors, 50);
      assert.match(String(errors[0]), /ECONNREFUSED/);
    });
  });
}
