/**
 * What SysLogHandler reports through `handleError`, in its words: a drop episode (the exact count, why: the daemon
 * unreachable, the backlog full, emitted while closing, still queued at exit) and a UDP daemon's refusal.
 */
import { RecordsDroppedError } from '../core/errors.js';
import { safeRepr } from '../core/repr.js';
import type { DropEpisode } from '../internal/delivery.js';
import { recordCount } from '../internal/drop-ledger.js';

/**
 * A drop episode in SysLogHandler's words: `SysLogHandler dropped 20 records: syslog daemon at host:514 unreachable
 * (connect ECONNREFUSED …); the backlog was full (capacity 5)`, the count exact, the connection error as `cause`.
 */
export function dropReport(n: number, episode: DropEpisode, where: string, bound: string): RecordsDroppedError {
  const lost = episode.byReason;
  const cause = episode.cause;
  const why: string[] = [];
  if (lost.has('unreachable') || lost.has('stalled') || lost.has('rejected')) {
    const detail = cause === null || cause === undefined ? '' : ` (${cause instanceof Error ? cause.message : safeRepr(cause)})`;
    why.push(`syslog daemon at ${where} unreachable${detail}`);
  }
  if (lost.has('full')) why.push(`the backlog was full (${bound})`);
  if (lost.has('closed')) why.push('emitted after close() (later ones are only counted)');
  const atExit = lost.get('exit');
  if (atExit !== undefined) why.push(`${atExit} still queued at process exit`);
  return new RecordsDroppedError(`SysLogHandler dropped ${recordCount(n)}: ${why.join('; ')}`, n, cause === null ? {} : { cause });
}

/** A connected UDP socket heard the ICMP "port unreachable" of a stopped daemon: how much was lost, UDP cannot say. */
export function udpRefused(where: string, err: Error): RecordsDroppedError {
  const code = (err as { code?: unknown }).code;
  return new RecordsDroppedError(
    `syslog daemon at ${where} refused UDP datagrams (${typeof code === 'string' ? code : err.message}); ` +
      'records sent while it is down are lost and UDP cannot count them',
    0,
    { cause: err },
  );
}
