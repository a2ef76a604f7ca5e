/**
 * RedactFilter end to end: records carrying secrets in extra fields, nested objects, a mapping argument, a dict
 * message and async context go out through a file, JSON lines (JsonFormatter), SocketHandler (unpickled by
 * CPython), HTTPHandler (a form) and SMTPHandler (a mail), and no byte of any output holds a secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBUG, FileHandler, Formatter, getLogger, kw, StreamHandler, type Handler } from '../../src/index.js';
import { HTTPHandler } from '../../src/handlers/http.js';
import { SMTPHandler } from '../../src/handlers/smtp.js';
import { SocketHandler } from '../../src/handlers/socket.js';
import { withContext } from '../../src/context.js';
import { JsonFormatter } from '../../src/json.js';
import { addFilterToAllHandlers, RedactFilter } from '../../src/redact.js';
import { startPythonPeer, tempDir, type JsonLinesChild, type PythonPeerInfo } from '../fixtures/socket-helpers.js';
import { RecordingHTTPServer } from '../helpers/http-server.js';
import { TestSMTPServer } from '../helpers/smtp-server.js';
import { MemoryStream } from '../helpers/reset.js';

const SECRET = /S3CRET/;
const FIELDS = '%(password)s %(req)s %(session)s %(apiKey)s %(requestId)s';
const DEFAULTS = { password: '-', req: '-', session: '-', apiKey: '-', requestId: '-' };

describe('RedactFilter end to end: no handler output holds a secret', () => {
  let tmp: ReturnType<typeof tempDir>;
  let peer: JsonLinesChild;
  let info: PythonPeerInfo;
  let http: RecordingHTTPServer;
  let smtp: TestSMTPServer;
  before(async () => {
    tmp = tempDir();
    ({ peer, info } = await startPythonPeer(tmp.dir));
    http = await RecordingHTTPServer.start();
    smtp = await TestSMTPServer.start();
  });
  after(async () => {
    await peer.stop();
    await http.close();
    await smtp.close();
    tmp.remove();
  });

  test('file, JSON lines, socket pickle (CPython), HTTP form and SMTP body', async () => {
    const path = join(tmp.dir, 'app.log');
    const file = new FileHandler(path);
    file.setFormatter(new Formatter(`%(levelname)s %(message)s ${FIELDS}`, { defaults: DEFAULTS }));
    const mem = new MemoryStream();
    const json = new StreamHandler(mem);
    json.setFormatter(new JsonFormatter('%(levelname)s %(message)s'));
    const socket = new SocketHandler('127.0.0.1', info.tcp);
    const form = new HTTPHandler(`127.0.0.1:${http.port}`, '/log', { method: 'POST' });
    const mail = new SMTPHandler(['127.0.0.1', smtp.port], 'app@x.test', 'ops@x.test', 'app log');
    mail.setFormatter(new Formatter(`%(message)s ${FIELDS}`, { defaults: DEFAULTS }));
    const handlers: Handler[] = [file, json, socket, form, mail];

    const app = getLogger('e2e');
    app.propagate = false;
    app.setLevel(DEBUG);
    for (const h of handlers) app.addHandler(h);
    const filter = new RedactFilter(['password', 'req.headers.authorization', '*.token', 'apiKey']);
    assert.ok(addFilterToAllHandlers(filter, app) >= handlers.length);

    const log = app.getChild('api'); // propagated records: only handler filters see them
    log.info('login %(user)s', { user: 'ann', password: 'S3CRET-arg' });
    log.warning(
      'request',
      kw({
        extra: {
          password: 'S3CRET-pw',
          req: { headers: { authorization: 'Bearer S3CRET-auth', host: 'example.test' } },
          session: { token: 'S3CRET-token', id: 7 },
        },
      }),
    );
    withContext({ apiKey: 'S3CRET-ctx', requestId: 'r-1' }, () => log.error('in context'));
    log.info({ event: 'signup', password: 'S3CRET-dict' });
    const N = 4;
    await Promise.all(handlers.map((h) => h.close()));

    const fileText = readFileSync(path, 'utf8');
    const lines = await peer.waitFor(N);
    const requests = await http.waitFor(N);
    const mails = await smtp.waitFor(N);
    const outputs: [string, string][] = [
      ['file', fileText],
      ['json', mem.text],
      ...lines.map((l, i): [string, string] => [`socket ${i} (CPython's record)`, JSON.stringify(l['record'])]),
      ...lines.map((l, i): [string, string] => [`socket ${i} (pickle bytes)`, Buffer.from(String(l['pickle_b64']), 'base64').toString('latin1')]),
      ...requests.map((r, i): [string, string] => [`http ${i}`, [...new URLSearchParams(r.body.toString()).values()].join('\n')]),
      ...mails.map((m, i): [string, string] => [`smtp ${i}`, m.raw.toString('utf8')]),
    ];
    for (const [name, text] of outputs) assert.doesNotMatch(text, SECRET, name);

    // Not vacuous: the censored fields and the harmless data did go out.
    assert.equal(
      fileText,
      [
        "INFO login ann - - - - -",
        "WARNING request [Redacted] { headers: { authorization: '[Redacted]', host: 'example.test' } } { token: '[Redacted]', id: 7 } - -",
        'ERROR in context - - - [Redacted] r-1',
        "INFO { event: 'signup', password: '[Redacted]' } - - - - -",
        '',
      ].join('\n'),
    );
    const py = lines.map((l) => l['record'] as Record<string, unknown>);
    assert.equal(py[1]?.['password'], '[Redacted]');
    assert.equal(py[2]?.['apiKey'], '[Redacted]');
    assert.equal(py[2]?.['requestId'], 'r-1');
    const form1 = new URLSearchParams((requests[1]?.body ?? Buffer.alloc(0)).toString());
    assert.equal(form1.get('password'), '[Redacted]');
    assert.match(String(new URLSearchParams((requests[0]?.body ?? Buffer.alloc(0)).toString()).get('args')), /\[Redacted\]/);
    assert.match(mails[2]?.raw.toString('utf8') ?? '', /in context - - - \[Redacted\] r-1/);
    // JsonFormatter writes every extra, context and mapping field: each secret as the censor, the rest as they were.
    const objects = mem.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objects.length, N);
    assert.deepEqual(objects[0], { levelname: 'INFO', message: 'login ann' }); // the message consumed the mapping
    assert.deepEqual(objects[1], {
      levelname: 'WARNING', message: 'request', password: '[Redacted]',
      req: { headers: { authorization: '[Redacted]', host: 'example.test' } }, session: { token: '[Redacted]', id: 7 },
    });
    assert.deepEqual(objects[2], { levelname: 'ERROR', message: 'in context', apiKey: '[Redacted]', requestId: 'r-1' });
    assert.deepEqual(objects[3], { levelname: 'INFO', message: null, event: 'signup', password: '[Redacted]' }); // python-json-logger 2.0.1's null
  });
});
