/**
 * True when `Object.keys(o)` would equal `keys`, without making the list: how the record codecs (worker ring,
 * SocketHandler's pickles) check that a record still has the shape they compiled for it.
 *
 * measured (Node 20.20, a 22-field LogRecord): for-in against the keys 23–26 ns, Object.keys and a comparison
 * 46–50 ns (it copies the key list every record); V8 serves both the for-in and the own-property check from the
 * object's enum cache.
 */
export function hasOwnKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    // for-in also walks the prototype chain's enumerable keys, which Object.keys leaves out.
    if (k !== keys[i] || !Object.prototype.hasOwnProperty.call(o, k)) return false;
    i++;
  }
  return i === keys.length;
}
