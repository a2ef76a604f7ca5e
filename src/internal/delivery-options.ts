/**
 * The API of the delivery component (delivery.ts): what a network handler builds it with, the connection hooks it
 * plugs its CPython hooks into, and how a write hook says that some items were refused for themselves.
 */
import type { RetryState } from './backoff.js';
import type { Clock } from './clock.js';
import type { DropEpisode } from './drop-ledger.js';

/** A handler's connection, as its CPython hooks see it. */
export interface DeliveryLink {
  /** True while a connection is open (CPython: `self.sock is not None`). */
  isOpen(): boolean;
  /**
   * Opens a connection if the retry time has come: the handler's `createSocket()` hook, which normally is
   * `delivery.attempt(() => …makeSocket(), keep it…)`. Never rejects.
   */
  connect(): Promise<void>;
  /** Drops the connection after a failed or stalled write (CPython: `self.sock.close(); self.sock = None`). */
  shut(): void;
  /** Called when the backlog has emptied: a socket may stop holding the process open (`unref()`). */
  idle?(): void;
}

/** What a {@link Delivery} is built with. */
export interface DeliveryOptions<T> {
  /** Delivers one item; resolves when it is with the peer (or the OS), rejects when it failed. */
  write(item: T): Promise<void>;
  /** Optional: delivers several waiting items in order, in one go. A lone waiting item goes to `write`. */
  writeBatch?(items: T[]): Promise<void>;
  /** Most items passed to one `writeBatch` call. @default 1024 */
  maxBatch?: number;
  /** Most items waiting (not counting those being written); an extra bound beside `maxBytes`. @default unbounded */
  capacity?: number;
  /** Most bytes queued or being written (by `sizeOf`); a push beyond it is dropped. @default unbounded */
  maxBytes?: number;
  /** The bytes an item holds, for `maxBytes`. */
  sizeOf?(item: T): number;
  /**
   * The records an item stands for (an HTTP batch, an SMTP digest): drops, give-ups and the exit report count these,
   * so `dropped` and every report stay exact in records. @default 1 per item
   */
  countOf?(item: T): number;
  /** The connection hooks. Without them the writer is connectionless: a rejected write goes to `onError`. */
  link?: DeliveryLink;
  /** Where CPython's `retryStart`/`retryFactor`/`retryMax`/`retryTime`/`retryPeriod` live: the handler. */
  retry?: RetryState;
  /** The clock of `retryTime`. @default the system clock */
  clock?: Clock;
  /**
   * Seconds `flush()`/`close()` wait with nothing finishing before they give up what they cover: the bound against a
   * peer that is slow, silent or hung. @default no bound (the writer's own timeouts decide)
   */
  timeout?: number;
  /** Called for an item a connectionless write rejected (default: counted as dropped, `'rejected'`). Must not throw. */
  onError?(err: unknown, item: T): void;
  /**
   * Called once per drop episode, when it ends: at the first successful write after drops, at `flush()`/`close()`,
   * at the first drop after `close()`, and at process exit with `exitReport`. `episode.toError(who)` is the report
   * for `handleError`. Must not throw.
   */
  onDrop(count: number, episode: DropEpisode): void;
  /** Called once after the last item, by `close()`; its promise is awaited. */
  teardown?(): Promise<void> | void;
  /** Report items still queued when the process exits (`'exit'`), and the open episode. @default false */
  exitReport?: boolean;
}

/**
 * Thrown by a write hook whose items went out except `count` refused for themselves (a datagram too large: EMSGSIZE),
 * not for the connection: those are dropped (`'rejected'`, `cause` quoted in the report), the rest count as delivered
 * and nothing is retried. Any other rejection is a connection failure: the link is shut and the items retried.
 */
export class ItemsRejected extends Error {
  constructor(
    /** Items refused. */
    readonly count: number,
    /** The refusal (the last one when several). */
    override readonly cause: unknown,
  ) {
    super(`${count} item(s) refused`);
  }
}
