/**
 * The bounded single-writer queue behind every network handler.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Delivery } from '../../src/internal/delivery.js';

/** A writer whose writes complete only when the test says so. */
function gatedWriter(): { written: number[]; open(): void; write(n: number): Promise<void> } {
  const written: number[] = [];
  let gate: (() => void) | null = null;
  let opened = false;
  return {
    written,
    open(): void {
      opened = true;
      gate?.();
    },
    async write(n: number): Promise<void> {
      if (!opened) await new Promise<void>((r) => (gate = r));
      if (n < 0) throw new Error(`bad ${n}`);
      written.push(n);
    },
  };
}

describe('Delivery', () => {
  test('delivers in order, one at a time, and flush() waits for what was accepted before it', async () => {
    const w = gatedWriter();
    const d = new Delivery<number>({ write: (n) => w.write(n), capacity: 10, onError: () => {}, onDrop: () => {} });
    for (let i = 0; i < 5; i++) d.push(i);
    assert.equal(d.busy, true);
    const flushed = d.flush();
    w.open();
    await flushed;
    assert.deepEqual(w.written, [0, 1, 2, 3, 4]);
    assert.equal(d.busy, false);
  });

  test('a full queue drops and counts; the episode is reported once, when a write succeeds again', async () => {
    const w = gatedWriter();
    const drops: number[] = [];
    const d = new Delivery<number>({ write: (n) => w.write(n), capacity: 3, onError: () => {}, onDrop: (n) => drops.push(n) });
    const accepted = [0, 1, 2, 3, 4, 5, 6].map((n) => d.push(n));
    // 0 is being written, 1..3 wait, 4..6 are dropped
    assert.deepEqual(accepted, [true, true, true, true, false, false, false]);
    assert.equal(d.dropped, 3);
    w.open();
    await d.flush();
    assert.deepEqual(w.written, [0, 1, 2, 3]);
    assert.deepEqual(drops, [3]);
  });

  test('a write that rejects is handed to onError and the queue goes on', async () => {
    const w = gatedWriter();
    w.open();
    const errors: string[] = [];
    const d = new Delivery<number>({ write: (n) => w.write(n), capacity: 5, onError: (e) => errors.push(String(e)), onDrop: () => {} });
    d.push(1);
    d.push(-1);
    d.push(2);
    await d.flush();
    assert.deepEqual(w.written, [1, 2]);
    assert.deepEqual(errors, ['Error: bad -1']);
  });

  test('close() delivers what is queued, then tears down; later pushes are dropped; close twice is the same promise', async () => {
    const w = gatedWriter();
    let torn = 0;
    const d = new Delivery<number>({ write: (n) => w.write(n), capacity: 5, onError: () => {}, onDrop: () => {}, teardown: () => void torn++ });
    d.push(1);
    const c1 = d.close();
    const c2 = d.close();
    assert.equal(c1, c2);
    assert.equal(d.push(2), false);
    w.open();
    await c1;
    assert.deepEqual(w.written, [1]);
    assert.equal(torn, 1);
    assert.equal(d.closed, true);
  });

  test('capacity must be a positive integer', () => {
    assert.throws(() => new Delivery({ write: async () => {}, capacity: 0, onError: () => {}, onDrop: () => {} }), /capacity must be a positive integer, got 0/);
  });
});
