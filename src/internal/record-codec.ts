/**
 * The record codec: how a prepared record crosses a WorkerQueueListener's ring (see worker-listener.ts). Entry kinds
 * and value tags, shared by the encoder (logging thread, record-encoder.ts) and the decoder (worker, record-decoder.ts).
 *
 * An entry is a flat binary record whose keys live in a table: `[definitions…] REC shapeId value…` (or `DEFERRED`
 * for a record whose message the worker merges), where a shape is a record's key list (`Object.keys`, in order) and
 * each value is a tag byte and its payload. Strings of the fields that repeat from record to record (`name`,
 * `levelname`, `pathname`, …) are interned: sent once, then referred to by number. Tables only grow, and a
 * definition is sent in the entry of the first record that uses it; `WorkerInit.codec` hands the whole table to each
 * worker at `start()`, so a worker started again after a crash still reads the records already in the ring. Anything
 * the codec does not take (an `undefined` or function value, a `toJSON` method, a full table) goes as JSON text, as
 * every record did before.
 *
 * measured (Node 20.20, shared 2-CPU machine, the bench's 22-field record, medians of 5–7 runs): JSON.stringify
 * 1.7–2.1 µs and JSON.parse 1.3–2.2 µs; `encodePrepared` 0.25–0.27 µs (0.175–0.2 µs since its writers went inline,
 * see record-encoder.ts), `decode` 0.38–0.43 µs; 73 bytes in the ring instead of 401. Since the decoder's readers
 * read the common values inline (record-decoder.ts), one process with both builds, interleaved: 500 → 304 and
 * 620 → 405 ns a decode, in two runs with the builds' order swapped.
 */

/** The tables of a {@link RecordEncoder}, for a {@link RecordDecoder} (structured-cloneable). */
export interface CodecTables {
  shapes: string[][];
  strings: string[];
}

/** Entry kinds. */
export const E_SHAPE = 0xf0;
export const E_STRING = 0xf1;
export const E_RECORD = 0xf2;
/**
 * A record whose message the worker merges: its `msg` is the `%`-template and its `args` the values (a `T_LIST8` of
 * strings and integers), and the decoder sets `msg` and `message` to the merge and `args` to null, as
 * QueueHandler.prepare's copy has them. The logging thread sends it when the merge is `fastTemplate`'s common case
 * and the handler's format is `%(message)s` alone (`deferrable` in worker-listener.ts).
 */
export const E_DEFERRED = 0xf3;
/** Value tags. */
export const T_NULL = 0;
export const T_TRUE = 1;
export const T_FALSE = 2;
export const T_I32 = 3;
export const T_F64 = 4;
export const T_ASCII = 5;
export const T_UTF8 = 6;
export const T_UTF16 = 7;
export const T_REF = 8;
export const T_AGAIN = 9;
export const T_JSON = 10;
// Short forms (measured, Node 20.20: the bench's record 116 → 74 bytes; a fresh ring's page faults cost ~12 µs per
// 4 KiB page on the shared machine, so bytes in the ring are time on the logging thread until every page was used).
export const T_I8 = 11;
export const T_I16 = 12;
export const T_REF8 = 13;
export const T_ASCII8 = 14;
/** A list of up to 255 values (a deferred record's `args`): a count byte, then each value with its tag. */
export const T_LIST8 = 15;
