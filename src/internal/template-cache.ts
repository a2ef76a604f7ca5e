/**
 * A bounded cache of what a logging message compiles to, keyed by the message text. Messages are nearly always
 * literals, so few distinct ones exist; a runaway stream of built ones is not cached (the caller then takes its
 * general path). The last hit is checked first: consecutive records usually share their message.
 */

/** Messages remembered per cache. */
const MAX_TEMPLATES = 1024;

/** Returns `msg`'s compiled form (null: not compilable, or the cache is full and `msg` is new). */
export function templateCache<T>(compile: (msg: string) => T | null): (msg: string) => T | null {
  const templates = new Map<string, T | null>();
  let lastMsg: string | null = null;
  let lastTemplate: T | null = null;
  return (msg) => {
    if (msg === lastMsg) return lastTemplate;
    let t = templates.get(msg);
    if (t === undefined) {
      if (templates.size >= MAX_TEMPLATES) return null;
      templates.set(msg, (t = compile(msg)));
    }
    lastMsg = msg;
    lastTemplate = t;
    return t;
  };
}
