/**
 * The logging thread's overflow for a full ring (src/internal/ring-overflow.ts), with the ring's consumer side in the
 * same thread: entries of every kind come out of the ring in the order they were put, across the ring's wrap-around,
 * partial drains and chunk boundaries; the byte bound holds.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer, SENTINEL } from '../../src/internal/ring-buffer.js';
import { RingOverflow } from '../../src/internal/ring-overflow.js';

type Item = { kind: 'bin'; bytes: Buffer } | { kind: 'text'; text: string } | { kind: 'sentinel' };

const binary = (bytes: Buffer, _view: DataView, start: number, end: number): Buffer => Buffer.from(bytes.subarray(start, end));

/** Reads everything the ring holds now. */
function readAll(ring: RingBuffer): Item[] {
  const out: Item[] = [];
  for (let e = ring.read(binary); e !== null; e = ring.read(binary)) {
    if (e === SENTINEL) out.push({ kind: 'sentinel' });
    else if (typeof e === 'string') out.push({ kind: 'text', text: e });
    else out.push({ kind: 'bin', bytes: e });
  }
  return out;
}

function put(overflow: RingOverflow, item: Item): boolean {
  if (item.kind === 'bin') return overflow.pushBinary(item.bytes, item.bytes.length);
  if (item.kind === 'text') return overflow.pushText(item.text);
  return overflow.pushSentinel();
}

describe('RingOverflow', () => {
  test('mixed entries drain into a small ring in order, across wrap-arounds and partial drains', () => {
    const ring = RingBuffer.create(4096);
    const overflow = new RingOverflow(1 << 20);
    const items: Item[] = [];
    for (let i = 0; i < 2000; i++) {
      const k = i % 7;
      if (k === 3) items.push({ kind: 'text', text: `json ${i} ${'é'.repeat(i % 40)}` });
      else if (k === 6 && i % 5 === 0) items.push({ kind: 'sentinel' });
      else items.push({ kind: 'bin', bytes: Buffer.alloc(1 + ((i * 37) % 300), i & 0xff) });
    }
    for (const item of items) assert.ok(put(overflow, item));
    assert.equal(overflow.records, items.length);
    const got: Item[] = [];
    let rounds = 0;
    while (!overflow.drainInto(ring)) {
      got.push(...readAll(ring)); // the consumer frees room; the next drain moves what now fits
      assert.ok(++rounds < 10_000, 'the drain makes progress');
    }
    got.push(...readAll(ring));
    assert.ok(rounds > 20, `many partial drains (${rounds})`);
    assert.equal(overflow.bytes, 0);
    assert.equal(overflow.records, 0);
    assert.deepEqual(got, items);
  });

  test('an entry larger than a chunk gets a chunk of its own; the bound counts bytes with headers and padding', () => {
    const overflow = new RingOverflow(100_004);
    assert.ok(overflow.pushBinary(Buffer.alloc(70_000, 1), 70_000)); // 4 + 70 000 bytes
    assert.equal(overflow.bytes, 70_004);
    assert.ok(overflow.pushBinary(Buffer.alloc(29_990, 2), 29_990)); // 4 + 29 992 (padded): 100 000 in all
    assert.equal(overflow.bytes, 100_000);
    assert.equal(overflow.pushBinary(Buffer.alloc(1), 1), false, '8 more bytes would exceed the bound');
    assert.equal(overflow.pushText('x'), false);
    assert.equal(overflow.pushSentinel(), true, 'the 4-byte sentinel still fits');
    assert.equal(overflow.bytes, 100_004);
    const ring = RingBuffer.create(128 * 1024);
    assert.ok(overflow.drainInto(ring));
    const got = readAll(ring);
    assert.deepEqual(got.map((g) => (g.kind === 'bin' ? g.bytes.length : g.kind)), [70_000, 29_990, 'sentinel']);
  });

  test('nothing moves while the ring has no room; chunks are reused for the next burst', () => {
    const ring = RingBuffer.create(4096);
    assert.ok(ring.tryWriteBytes(Buffer.alloc(4088), 4088)); // full
    const overflow = new RingOverflow(1 << 20);
    for (let i = 0; i < 500; i++) assert.ok(overflow.pushBinary(Buffer.alloc(200, i), 200));
    assert.equal(overflow.drainInto(ring), false);
    assert.equal(overflow.records, 500);
    readAll(ring);
    while (!overflow.drainInto(ring)) readAll(ring);
    readAll(ring);
    // a second burst after a full drain: same contents, same order
    for (let i = 0; i < 500; i++) assert.ok(overflow.pushBinary(Buffer.alloc(200, 255 - i), 200));
    const got: Buffer[] = [];
    while (!overflow.drainInto(ring)) for (const g of readAll(ring)) got.push((g as { bytes: Buffer }).bytes);
    for (const g of readAll(ring)) got.push((g as { bytes: Buffer }).bytes);
    assert.equal(got.length, 500);
    got.forEach((b, i) => assert.equal(b[0], (255 - i) & 0xff));
  });
});
