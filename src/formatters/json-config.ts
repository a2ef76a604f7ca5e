/**
 * How dictConfig/fileConfig build `pythonjsonlogger.jsonlogger.JsonFormatter`: python-json-logger's keyword
 * arguments (`rename_fields`, `json_indent`, …) bound as Python binds them, then mapped onto {@link JsonFormatter}'s
 * options. Names (`json_default: "ext://./mod.js#fn"`) are resolved by the configuration that builds the formatter.
 */
import type { PySignature } from '../core/py-signature.js';

type Resolve = (name: string) => unknown;

/** python-json-logger's own encoder names: asking for them is asking for the default. */
const DEFAULT_ENCODERS = new Set(['pythonjsonlogger.jsonlogger.JsonEncoder', 'pythonjsonlogger.json.JsonEncoder']);

/** A `json_default`/`json_encoder` value: a function as it is, a dotted name or `module#export` resolved. */
function resolveCallable(resolve: Resolve, what: string, v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return resolve(v);
  } catch (e) {
    throw new TypeError(
      `JsonFormatter: cannot resolve ${what} ${JSON.stringify(v)} (${e instanceof Error ? e.message : String(e)}); ` +
        `name a JavaScript function as "ext://./module.js#name" or "./module.js#name"`,
      { cause: e },
    );
  }
}

/** `json_encoder`: a class whose instances have python's `default(obj)` method becomes a `jsonDefault`. */
function encoderDefault(resolve: Resolve, v: unknown): ((value: unknown) => unknown) | null {
  if (typeof v === 'string' && DEFAULT_ENCODERS.has(v)) return null;
  if (v === 'json.JSONEncoder') {
    throw new TypeError(
      "JsonFormatter: json_encoder 'json.JSONEncoder' (which raises on values JSON cannot hold) is not supported: " +
        'pylogging never drops a record for a value; give json_default instead',
    );
  }
  const E = resolveCallable(resolve, 'json_encoder', v);
  const proto = typeof E === 'function' ? (E.prototype as { default?: unknown } | undefined) : undefined;
  if (typeof proto?.default !== 'function') {
    throw new TypeError(`JsonFormatter: json_encoder must be a class with a default(value) method, got ${typeof E}`);
  }
  const enc = new (E as new () => { default(value: unknown): unknown })();
  return (value) => enc.default(value);
}

const KEYWORDS: Readonly<Record<string, string>> = {
  datefmt: 'datefmt',
  style: 'style',
  validate: 'validate',
  defaults: 'defaults',
  json_indent: 'jsonIndent',
  json_ensure_ascii: 'jsonEnsureAscii',
  prefix: 'prefix',
  rename_fields: 'renameFields',
  static_fields: 'staticFields',
  reserved_attrs: 'reservedAttrs',
  timestamp: 'timestamp',
};

/**
 * `JsonFormatter(fmt=None, datefmt=None, style='%', validate=True, *, defaults, json_default, json_encoder,
 * json_indent, json_ensure_ascii, prefix, rename_fields, static_fields, reserved_attrs, timestamp)`.
 */
export const JSON_FORMATTER_SIGNATURE: PySignature = {
  params: ['fmt', 'datefmt', 'style', 'validate'],
  kwonly: ['defaults', 'json_default', 'json_encoder', 'json_serializer', ...Object.keys(KEYWORDS).slice(4)],
  build: (C, kw, _rest, resolve) => {
    const o: Record<string, unknown> = {};
    for (const [py, ours] of Object.entries(KEYWORDS)) if (Object.hasOwn(kw, py) && kw[py] !== null) o[ours] = kw[py];
    // CPython's formatTime treats '' as "no datefmt" (INI files often say `datefmt=`).
    if (o['datefmt'] === '') delete o['datefmt'];
    if (Object.hasOwn(kw, 'json_serializer') && kw['json_serializer'] !== null) {
      throw new TypeError('JsonFormatter: json_serializer is not supported (pylogging writes json.dumps output itself)');
    }
    const jd = Object.hasOwn(kw, 'json_default') && kw['json_default'] !== null ? resolveCallable(resolve, 'json_default', kw['json_default']) : null;
    const je = Object.hasOwn(kw, 'json_encoder') && kw['json_encoder'] !== null ? encoderDefault(resolve, kw['json_encoder']) : null;
    // python-json-logger: json_default wins over the encoder's default (json.dumps calls `default=` first).
    if (jd !== null) o['jsonDefault'] = jd;
    else if (je !== null) o['jsonDefault'] = je;
    return new C(kw['fmt'] ?? null, o);
  },
};
