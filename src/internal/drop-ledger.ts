/**
 * Drop accounting for the network handlers: every record lost is counted once, under the reason it was lost, and an
 * episode (from the first loss to its report) becomes ONE {@link RecordsDroppedError} whose count is exact and whose
 * message says why: the peer was unreachable, the backlog's bound was exceeded, the handler was closed, …
 */
import { RecordsDroppedError } from '../core/errors.js';

/** Why records were lost; each has its own wording in the report. */
export type DropReason = 'unreachable' | 'full' | 'closed' | 'stalled' | 'rejected' | 'exit';

const REASONS: readonly DropReason[] = ['unreachable', 'stalled', 'rejected', 'full', 'closed', 'exit'];

/** What a report says for each reason; `detail` fills in the bound or the timeout. */
function wording(reason: DropReason, detail: DropDetail): string {
  switch (reason) {
    case 'unreachable':
      return 'the peer was unreachable';
    case 'stalled':
      return `the peer took nothing for ${detail.stallSeconds} s`;
    case 'rejected':
      return 'the transport refused them';
    case 'full':
      return `the backlog was full (${detail.bound})`;
    case 'closed':
      return 'the handler is closed';
    case 'exit':
      return 'still queued at process exit';
  }
}

/** The figures a report quotes. */
export interface DropDetail {
  /** The backlog's bound as said in a report, e.g. `64 MiB` or `capacity 1000`. */
  bound: string;
  /** The give-up bound of `flush()`/`close()`, in seconds. */
  stallSeconds: number;
}

/** `1 record`, `5 records`: how every report of lost records counts them. */
export function recordCount(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}

/** `"<who>: 5 records dropped (<why>)"`: the one wording of a drop report, for an episode or a worker's count. */
export function droppedMessage(who: string, n: number, why: string): string {
  return `${who}: ${recordCount(n)} dropped (${why})`;
}

/** One episode's losses, ended and ready to report. */
export class DropEpisode {
  constructor(
    /** Records lost in the episode. */
    readonly count: number,
    /** Records lost per reason (only reasons with losses). */
    readonly byReason: ReadonlyMap<DropReason, number>,
    /** The last connection or write error seen, if any. */
    readonly cause: unknown,
    readonly detail: DropDetail,
    /** The first item lost in the episode, when the delivery knew it (its record is the report's record). */
    readonly first: unknown = undefined,
  ) {}

  /** Why, as a report says it: `the peer was unreachable: 4; the backlog was full (64 MiB): 1` (a lone reason bare). */
  reasons(): string {
    const parts: string[] = [];
    for (const [reason, k] of this.byReason) {
      parts.push(this.byReason.size === 1 ? wording(reason, this.detail) : `${wording(reason, this.detail)}: ${k}`);
    }
    return parts.join('; ');
  }

  /**
   * `"<who>: 5 records dropped (the peer was unreachable: 4; the backlog was full (64 MiB): 1)"`; a single reason
   * is named without its count.
   */
  message(who: string): string {
    return droppedMessage(who, this.count, this.reasons());
  }

  /** The report as an error for `handleError`: the exact count in `dropped`, the last error in `cause`. */
  toError(who: string): RecordsDroppedError {
    const cause = this.cause;
    return new RecordsDroppedError(this.message(who), this.count, cause === null || cause === undefined ? {} : { cause });
  }
}

/** Counts losses by reason; {@link take} ends the open episode. */
export class DropLedger {
  /** Records lost since the start. */
  total = 0;
  /** The last connection or write error, quoted as the report's cause. */
  cause: unknown = null;
  readonly #counts = new Map<DropReason, number>();
  #open = 0;
  #first: unknown = undefined;

  /** Records lost and not yet reported. */
  get open(): number {
    return this.#open;
  }

  /** Counts `n` records lost for `reason`; `first`, the first of the items lost, is kept when it opens the episode. */
  add(reason: DropReason, n: number, first?: unknown): void {
    if (n <= 0) return;
    if (this.#first === undefined) this.#first = first;
    this.total += n;
    this.#open += n;
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + n);
  }

  /** Ends the open episode: its report, or null when nothing was lost since the last one. */
  take(detail: DropDetail): DropEpisode | null {
    if (this.#open === 0) return null;
    const byReason = new Map<DropReason, number>();
    for (const r of REASONS) {
      const k = this.#counts.get(r);
      if (k !== undefined) byReason.set(r, k);
    }
    const withCause = byReason.has('unreachable') || byReason.has('stalled') || byReason.has('rejected') || byReason.has('exit');
    const ep = new DropEpisode(this.#open, byReason, withCause ? this.cause : null, detail, this.#first);
    this.#first = undefined;
    this.#open = 0;
    this.#counts.clear();
    return ep;
  }
}
