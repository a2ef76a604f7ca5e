/**
 * Synchronous work to do when the process exits (`process.exit()`, the event loop running dry, an uncaught
 * exception): flush buffered file output, as pino's autoEnd does. Only synchronous work can run in Node's `'exit'`
 * event, so asynchronous handlers register a best-effort synchronous fallback here.
 *
 * Not covered, as in any Node program: SIGKILL, and signals whose default action kills the process without an
 * `'exit'` event (SIGTERM/SIGINT without a listener).
 */
// Two phases: handlers that pass records on to other handlers (MemoryHandler) hand them over first, so the hooks
// that write (buffered files, network backlogs) see them whatever order the handlers were made in.
const firstHooks = new Set<() => void>();
const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const set of [firstHooks, hooks]) {
    for (const hook of [...set]) {
      try {
        hook();
      } catch {
        // Nothing can be reported this late; keep running the other hooks.
      }
    }
  }
}

/**
 * Registers `hook` to run at process exit; returns a function that unregisters it.
 * @param first run before every hook registered without it: for work that hands records to other handlers.
 */
export function onExit(hook: () => void, first = false): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runHooks);
  }
  const set = first ? firstHooks : hooks;
  set.add(hook);
  return () => {
    set.delete(hook);
  };
}
