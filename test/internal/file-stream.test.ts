/**
 * FileStream's optional buffer: when it is written (bytes counted per UTF-16 code unit, 2 for UTF-16), and `tell()`,
 * which counts the buffered records' encoded bytes exactly whatever the buffer counted.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStream } from '../../src/internal/file-stream.js';
import type { EncodingName } from '../../src/internal/encoding.js';
import { RotatingFileHandler } from '../../src/handlers/rotating.js';
import { Formatter } from '../../src/core/formatter.js';
import { makeLogRecord } from '../../src/core/record.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-fstream-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function open(bufferSize: number, encoding: EncodingName = 'utf-8'): { s: FileStream; size: () => number } {
  const path = join(dir, `f${files++}.log`);
  const s = new FileStream(path, 'w', encoding, 'strict', bufferSize);
  return { s, size: () => statSync(path).size };
}

describe('FileStream buffer', () => {
  test('ASCII: written in one call once the buffered bytes reach bufferSize, not before', () => {
    const { s, size } = open(10);
    s.write('abcd\n'); // 5
    s.write('efgh'); // 9
    assert.equal(size(), 0);
    assert.equal(s.tell(), 9);
    s.write('i'); // 10: full
    assert.equal(size(), 10);
    assert.equal(s.tell(), 10);
    s.write('j');
    assert.equal(size(), 10);
    assert.equal(s.tell(), 11);
    s.close();
    assert.equal(size(), 11);
  });

  test('UTF-8 beyond ASCII: counted one per code unit; tell() counts the encoded bytes', () => {
    const { s, size } = open(8);
    s.write('é'); // 1 unit, 2 bytes
    s.write('日本'); // 2 units, 6 bytes
    s.write('😀'); // 2 units (a surrogate pair), 4 bytes
    assert.equal(size(), 0, '5 code units are below 8');
    assert.equal(s.tell(), 12);
    s.write('ab'); // 7 units, 14 bytes
    assert.equal(s.tell(), 14);
    assert.equal(size(), 0);
    s.write('c'); // 8 units
    assert.equal(size(), 15);
    assert.equal(s.tell(), 15);
    s.close();
  });

  test('tell() between writes counts each record once, and from zero after a write', () => {
    const { s, size } = open(100);
    let bytes = 0;
    for (const t of ['ä\n', 'bb\n', '€€\n', 'ccc\n']) {
      s.write(t);
      bytes += Buffer.byteLength(t);
      assert.equal(s.tell(), bytes);
      assert.equal(s.tell(), bytes, 'asking again counts nothing twice');
    }
    s.flush();
    assert.equal(size(), bytes);
    s.write('ö');
    assert.equal(s.tell(), bytes + 2);
    s.close();
  });

  test('UTF-16 counts two bytes a code unit; latin-1 one', () => {
    const u = open(8, 'utf-16-le');
    u.s.write('abc'); // 6 bytes
    assert.equal(u.size(), 0);
    assert.equal(u.s.tell(), 6);
    u.s.write('d'); // 8
    assert.equal(u.size(), 8);
    u.s.close();
    const l = open(4, 'latin-1');
    l.s.write('éé'); // 2 bytes
    assert.equal(l.s.tell(), 2);
    assert.equal(l.size(), 0);
    l.s.write('ßß');
    assert.equal(l.size(), 4);
    l.s.close();
  });

  test('a buffered RotatingFileHandler rolls over by exact bytes', async () => {
    const path = join(dir, 'rot.log');
    // Each record is 'é' * 4 + '\n': 5 code units, 9 bytes. maxBytes 20: two records (18 bytes), then a third would
    // reach 27: roll over. Counted by code units (10 + 6 = 16 < 20) it would not.
    const h = new RotatingFileHandler(path, { maxBytes: 20, backupCount: 2, bufferSize: 1000 });
    h.setFormatter(new Formatter('%(message)s'));
    for (let i = 0; i < 3; i++) h.handle(makeLogRecord({ msg: 'éééé', levelno: 40, levelname: 'ERROR' }));
    await h.close();
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'éééé\néééé\n');
    assert.equal(readFileSync(path, 'utf8'), 'éééé\n');
  });
});
