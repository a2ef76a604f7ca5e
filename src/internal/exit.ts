/**
 * Synchronous work to do when the process exits (`process.exit()`, the event loop running dry, an uncaught
 * exception): flush buffered file output, as pino's autoEnd does. Only synchronous work can run in Node's `'exit'`
 * event, so asynchronous handlers register a best-effort synchronous fallback here.
 *
 * Not covered, as in any Node program: SIGKILL, and signals whose default action kills the process without an
 * `'exit'` event (SIGTERM/SIGINT without a listener).
 */
const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const hook of [...hooks]) {
    try {
      hook();
    } catch {
      // Nothing can be reported this late; keep running the other hooks.
    }
  }
}

/** Registers `hook` to run at process exit; returns a function that unregisters it. */
export function onExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runHooks);
  }
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}
