/**
 * The worker of SocketHandler's `thread` mode. Thread mode now runs in pylogging's one worker host, whose entry is
 * `pylogging/worker` (worker-main.ts): this entry only loads that one, so a bundled application that copied it as a
 * second entry point and passes its location as the `workerUrl` of SocketHandler's `thread` settings keeps working.
 *
 * It exports nothing and is never imported (unbundled, the handler finds its worker itself).
 *
 * @module pylogging/socket-worker
 */
import './worker-main.js';
