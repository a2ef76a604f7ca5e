/**
 * The bounded single-writer queue behind every network handler.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Delivery, ItemsRejected, type DeliveryLink, type DropEpisode, type RetryState } from '../../src/internal/delivery.js';
import { FakeClock } from '../fixtures/socket-helpers.js';

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

/** A link whose peer is up or down as the test says; writes go through `write`. */
function fakeLink(): { up: boolean; open: boolean; connects: number; shuts: number; link: DeliveryLink; attemptWith(d: Delivery<string>): void } {
  let delivery: Delivery<string> | null = null;
  const state = {
    up: false,
    open: false,
    connects: 0,
    shuts: 0,
    link: {
      isOpen: () => state.open,
      connect: () =>
        (delivery as Delivery<string>).attempt(() => {
          state.connects++;
          if (!state.up) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
          state.open = true;
          return Promise.resolve();
        }),
      shut: () => {
        state.shuts++;
        state.open = false;
      },
    },
    attemptWith(d: Delivery<string>): void {
      delivery = d;
    },
  };
  return state;
}

const retryState = (): RetryState => ({ retryStart: 1, retryFactor: 2, retryMax: 30, retryTime: null, retryPeriod: null });

describe('Delivery: byte bound, connection, give-up, reports', () => {
  test('maxBytes bounds the bytes queued or being written; dropped + written = pushed; one report names the bound', async () => {
    const w = gatedWriter();
    const episodes: DropEpisode[] = [];
    const d = new Delivery<number>({ write: (n) => w.write(n), sizeOf: () => 30, maxBytes: 100, onDrop: (_n, ep) => episodes.push(ep) });
    let max = 0;
    for (let i = 0; i < 10; i++) {
      d.push(i);
      max = Math.max(max, d.bytes);
    }
    assert.equal(max, 90); // 3 × 30: a fourth would be 120
    assert.equal(d.dropped, 7);
    w.open();
    await d.flush();
    assert.equal(w.written.length + d.dropped, 10);
    assert.equal(d.bytes, 0);
    assert.deepEqual(episodes.map((e) => e.message('H')), ['H: 7 records dropped (the backlog was full (100 bytes))']);
  });

  test('with a link: CPython backoff on the retry attributes and the injected clock; a push retries; in order', async () => {
    const clock = new FakeClock();
    const retry = retryState();
    const net = fakeLink();
    const written: string[] = [];
    const d = new Delivery<string>({ write: (s) => (written.push(s), Promise.resolve()), link: net.link, retry, clock, onDrop: () => {} });
    net.attemptWith(d);
    d.push('a');
    await net.link.connect(); // joins the writer's failed attempt
    assert.deepEqual([retry.retryTime, retry.retryPeriod, net.connects], [clock.t + 1, 1, 1]);
    clock.t += 0.5;
    d.push('b'); // too early: no attempt
    await net.link.connect();
    assert.equal(net.connects, 1);
    clock.t += 0.5;
    d.push('c'); // the retry time has come: the push wakes the writer, which fails again and backs off ×2
    await net.link.connect();
    assert.deepEqual([retry.retryTime, retry.retryPeriod, net.connects], [clock.t + 2, 2, 2]);
    net.up = true;
    clock.t = retry.retryTime as number;
    d.push('d');
    await d.flush();
    assert.deepEqual(written, ['a', 'b', 'c', 'd']);
    assert.equal(retry.retryTime, null);
  });

  test('flush() gives up at once what waits for an unreachable peer: one report, reason and cause', async () => {
    const net = fakeLink();
    const episodes: DropEpisode[] = [];
    const d = new Delivery<string>({ write: async () => {}, link: net.link, retry: retryState(), capacity: 2, onDrop: (_n, ep) => episodes.push(ep) });
    net.attemptWith(d);
    for (const s of ['a', 'b', 'c', 'd']) d.push(s); // a is being written, b and c wait, d is over capacity
    await d.flush();
    assert.equal(d.dropped, 4);
    assert.equal(episodes.length, 1);
    const err = (episodes[0] as DropEpisode).toError('H');
    assert.equal(err.dropped, 4);
    assert.equal(err.message, 'H: 4 records dropped (the peer was unreachable: 3; the backlog was full (capacity 2): 1)');
    assert.match(String(err.cause), /ECONNREFUSED/);
  });

  test('a hung write: flush() gives up after timeout (stalled), shuts the link, and later items still go out', async () => {
    const net = fakeLink();
    net.up = true;
    const written: string[] = [];
    const episodes: DropEpisode[] = [];
    const d = new Delivery<string>({
      write: (s) => (s === 'hang' ? new Promise<void>(() => {}) : (written.push(s), Promise.resolve())),
      link: net.link,
      retry: retryState(),
      timeout: 0.05,
      onDrop: (_n, ep) => episodes.push(ep),
    });
    net.attemptWith(d);
    d.push('hang');
    d.push('queued');
    await d.flush();
    assert.equal(d.dropped, 2);
    assert.equal(net.shuts, 1);
    assert.equal(episodes[0]?.message('H'), 'H: 2 records dropped (the peer took nothing for 0.05 s)');
    assert.match(String(episodes[0]?.cause), /timed out/);
    d.push('after');
    await d.flush();
    assert.deepEqual(written, ['after']);
  });

  test('ItemsRejected: the refused items are dropped, the others count as delivered, nothing is retried', async () => {
    const net = fakeLink();
    net.up = true;
    const writes: string[][] = [];
    const episodes: DropEpisode[] = [];
    const d = new Delivery<string>({
      write: (s) => (writes.push([s]), Promise.resolve()),
      writeBatch: (items) => {
        writes.push(items);
        return Promise.reject(new ItemsRejected(1, Object.assign(new Error('send EMSGSIZE'), { code: 'EMSGSIZE' })));
      },
      link: net.link,
      retry: retryState(),
      onDrop: (_n, ep) => episodes.push(ep),
    });
    net.attemptWith(d);
    for (const s of ['a', 'b', 'c']) d.push(s);
    await d.flush();
    assert.deepEqual(writes, [['a'], ['b', 'c']]);
    assert.equal(d.dropped, 1);
    assert.equal(net.shuts, 0);
    assert.equal(episodes[0]?.message('H'), 'H: 1 record dropped (the transport refused them)');
  });

  test('after close(): the first drop is reported at once, later ones are counted; the exit report counts what is queued', async () => {
    const counts: number[] = [];
    const d = new Delivery<number>({ write: async () => {}, onDrop: (n) => counts.push(n) });
    await d.close();
    d.push(1);
    d.push(2);
    assert.deepEqual(counts, [1]);
    assert.equal(d.dropped, 2);
    const w = gatedWriter();
    const reasons: string[] = [];
    const e = new Delivery<number>({ write: (n) => w.write(n), onDrop: (_n, ep) => reasons.push(ep.message('H')) });
    for (let i = 0; i < 3; i++) e.push(i);
    e.reportAtExit();
    assert.deepEqual(reasons, ['H: 3 records dropped (still queued at process exit)']);
  });
});
