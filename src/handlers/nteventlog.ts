/**
 * NTEventLogHandler: CPython's handler for the Windows event log.
 *
 * On Windows it registers the event source and writes with `ReportEventW` (advapi32), called through the FFI package
 * `koffi`: an optional peer dependency, loaded when the first handler is made, so only Windows users who log to the
 * event log install it. On Windows without it the constructor throws, naming the package (`npm install koffi`).
 * Elsewhere it does what CPython does without pywin32: the constructor prints that the event log is not available,
 * and `emit()` does nothing.
 *
 * The Windows calls go through an {@link NTEventLogBackend}, which tests (and unusual set-ups) can inject.
 */
import { createRequire } from 'node:module';
import { Handler } from '../core/handler.js';
import { CRITICAL, DEBUG, ERROR, INFO, NOTSET, WARNING, type Level } from '../core/levels.js';
import type { LogRecord } from '../core/record.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from '../core/py-signature.js';
import { safeRepr } from '../core/repr.js';

/** `EVENTLOG_ERROR_TYPE` (winnt.h). */
export const EVENTLOG_ERROR_TYPE = 0x0001;
/** `EVENTLOG_WARNING_TYPE` (winnt.h). */
export const EVENTLOG_WARNING_TYPE = 0x0002;
/** `EVENTLOG_INFORMATION_TYPE` (winnt.h). */
export const EVENTLOG_INFORMATION_TYPE = 0x0004;
/** `EVENTLOG_AUDIT_SUCCESS` (winnt.h). */
export const EVENTLOG_AUDIT_SUCCESS = 0x0008;
/** `EVENTLOG_AUDIT_FAILURE` (winnt.h). */
export const EVENTLOG_AUDIT_FAILURE = 0x0010;

/** Win32 `ERROR_ACCESS_DENIED`: CPython ignores it when adding the source to the registry needs admin rights. */
const ERROR_ACCESS_DENIED = 5;

/** What CPython prints (to stdout) when pywin32 is missing; ours names the Node side of the same gap. */
export const NT_EVENT_LOG_UNAVAILABLE =
  'The Win32 extensions for NT (service, event logging) appear not to be available.';

/**
 * The Windows calls NTEventLogHandler makes: pywin32's `win32evtlogutil.AddSourceToRegistry` and `ReportEvent`.
 * Errors should carry a numeric `winerror` (as `pywintypes.error` does).
 */
export interface NTEventLogBackend {
  /** Creates `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\<logtype>\<appname>` with `EventMessageFile`. */
  addSourceToRegistry(appname: string, dllname: string, logtype: string): void;
  /** Writes one event with the given insertion strings. */
  reportEvent(appname: string, id: number, category: number, type: number, strings: readonly string[]): void;
  /** Releases what the backend holds (event source handles). */
  close?(): void;
}

/** A Win32 error with its code, like `pywintypes.error`. */
export class WinError extends Error {
  /** `'WinError'`; `winerror` and `funcname` carry what `pywintypes.error` holds. */
  override name = 'WinError';
  constructor(
    /** The Win32 error code (`GetLastError()` or the `LSTATUS` returned). */
    readonly winerror: number,
    /** The function that failed. */
    readonly funcname: string,
  ) {
    super(`(${winerror}, '${funcname}')`);
  }
}

/** Keyword arguments of {@link NTEventLogHandler}. */
export interface NTEventLogHandlerOptions {
  /**
   * The message file registered for the source. CPython's default is pywin32's `win32service.pyd`; ours is
   * Windows' own `%SystemRoot%\System32\EventCreate.exe`, whose message table maps IDs 1–1000 to `%1` (the text).
   * @default '%SystemRoot%\\System32\\EventCreate.exe'
   */
  dllname?: string | null;
  /** The event log to write to. @default 'Application' */
  logtype?: string;
  /** Handler level. @default NOTSET */
  level?: Level;
  /**
   * The Windows calls to use; by default koffi + advapi32 on Windows (koffi must be installed), none elsewhere.
   * @default the platform's
   */
  backend?: NTEventLogBackend | null;
}

/** Windows' message file with "%1" for event IDs 1–1000 (what `eventcreate.exe` registers). */
const DEFAULT_DLL = '%SystemRoot%\\System32\\EventCreate.exe';

/**
 * The default backend: koffi + advapi32 on Windows, null elsewhere (there is no event log to reach).
 * @throws {Error} on Windows when koffi cannot be loaded: installing it is the fix, so say so rather than go quiet.
 */
function platformBackend(): NTEventLogBackend | null {
  if (process.platform !== 'win32') return null;
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (err) {
    throw new Error(
      `NTEventLogHandler needs the optional package 'koffi' on Windows (npm install koffi): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  try {
    return new KoffiBackend(koffi);
  } catch {
    return null; // advapi32 unusable: CPython's "not available" path
  }
}

const NTEVENTLOG_KEYS = optionKeys<NTEventLogHandlerOptions>()(['dllname', 'logtype', 'level', 'backend']);

/**
 * Python's `NTEventLogHandler(appname, dllname=None, logtype='Application')`: writes each record to the Windows
 * event log as an event of source `appname`.
 *
 * Differs from CPython: without the event log CPython leaves `appname`, `typemap` and `deftype` unset; here they
 * are always set, so `getEventType()` works (and is tested) everywhere. Only the Windows FFI calls differ by
 * platform.
 */
export class NTEventLogHandler extends Handler {
  /** The event source name. */
  appname: string;
  /** The message file registered for the source. */
  dllname: string;
  /** The event log (`'Application'`, `'System'`, or a custom log). */
  logtype: string;
  /** Event type for levels missing from `typemap`: `EVENTLOG_ERROR_TYPE`. */
  deftype: number;
  /** Level number → event type. Add entries for custom levels, or override `getEventType`. */
  typemap: Record<number, number>;
  /** The Windows calls in use (CPython's `_welu`), or null when the event log is not available. */
  _welu: NTEventLogBackend | null;

  /** Python's `NTEventLogHandler(appname, dllname=None, logtype='Application')`, for dictConfig. */
  static override pySignature: PySignature | null = { params: ['appname', 'dllname', 'logtype'], required: 1, positional: 1 };
  constructor(appname: string, options: NTEventLogHandlerOptions = {}) {
    if (new.target === NTEventLogHandler) checkOptions('NTEventLogHandler', options, NTEVENTLOG_KEYS);
    super(options.level ?? NOTSET);
    if (typeof appname !== 'string' || appname === '') {
      throw new TypeError(`appname must be a non-empty string, got ${safeRepr(appname)}`);
    }
    this.appname = appname;
    this.dllname = options.dllname || DEFAULT_DLL; // CPython: `if not dllname`
    this.logtype = options.logtype ?? 'Application';
    this.deftype = EVENTLOG_ERROR_TYPE;
    this.typemap = {
      [DEBUG]: EVENTLOG_INFORMATION_TYPE,
      [INFO]: EVENTLOG_INFORMATION_TYPE,
      [WARNING]: EVENTLOG_WARNING_TYPE,
      [ERROR]: EVENTLOG_ERROR_TYPE,
      [CRITICAL]: EVENTLOG_ERROR_TYPE,
    };
    const backend = options.backend === undefined ? platformBackend() : options.backend;
    this._welu = backend;
    if (backend === null) {
      // CPython: print(...) to stdout, `_welu = None`; emit() then does nothing.
      process.stdout.write(`${NT_EVENT_LOG_UNAVAILABLE}\n`);
      return;
    }
    try {
      backend.addSourceToRegistry(this.appname, this.dllname, this.logtype);
    } catch (err) {
      // CPython: adding the source needs admin rights; a user who may only write to an existing source gets
      // "access denied" (winerror 5), which is ignored. Anything else is raised.
      if ((err as { winerror?: unknown } | null)?.winerror !== ERROR_ACCESS_DENIED) throw err;
    }
  }

  /** The event's message ID: 1, the base ID (`%1`) of the message file. Override for your own message DLL. */
  getMessageID(_record: LogRecord): number {
    return 1;
  }

  /** The event category: 0. Override for your own categories. */
  getEventCategory(_record: LogRecord): number {
    return 0;
  }

  /** The event type: `typemap[record.levelno]`, else `deftype`. Override (or extend `typemap`) for custom levels. */
  getEventType(record: LogRecord): number {
    const t = this.typemap[record.levelno];
    return t === undefined ? this.deftype : t;
  }

  /**
   * Writes the formatted record as one event (`ReportEventW`, synchronous: the event log is local, as in CPython).
   * Does nothing when the event log is not available.
   */
  override emit(record: LogRecord): void {
    const welu = this._welu;
    if (welu === null) return;
    try {
      const id = this.getMessageID(record);
      const cat = this.getEventCategory(record);
      const type = this.getEventType(record);
      const msg = this.format(record);
      welu.reportEvent(this.appname, id, cat, type, [msg]);
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * Releases the event source handle. As in CPython, the source stays in the registry (removing it would make
   * the Event Viewer unable to show the events already logged).
   */
  override close(): Promise<void> {
    try {
      this._welu?.close?.();
    } catch {
      // nothing to report at close
    }
    return super.close();
  }
}

// --- Windows: advapi32 through koffi ------------------------------------------------------------------------
// Not exercised by the test suite, which runs on Linux (see the README): tests inject a backend instead.

interface KoffiFunc {
  (...args: unknown[]): unknown;
}
interface KoffiLib {
  func(signature: string): KoffiFunc;
}
interface Koffi {
  load(path: string): KoffiLib;
}

/** `HKEY_LOCAL_MACHINE`: `(HKEY)(ULONG_PTR)(LONG)0x80000002`, sign-extended as winreg.h does. */
const HKEY_LOCAL_MACHINE = -0x7ffffffe;
const KEY_SET_VALUE = 0x0002;
const REG_EXPAND_SZ = 2;
const REG_DWORD = 4;

/** The advapi32 prototypes, in koffi's C-like syntax. */
export const ADVAPI32_PROTOTYPES = {
  RegCreateKeyExW:
    'long __stdcall RegCreateKeyExW(intptr hKey, const char16_t *lpSubKey, uint32_t Reserved, const char16_t *lpClass, uint32_t dwOptions, uint32_t samDesired, void *lpSecurityAttributes, _Out_ intptr *phkResult, _Out_ uint32_t *lpdwDisposition)',
  RegSetValueExW:
    'long __stdcall RegSetValueExW(intptr hKey, const char16_t *lpValueName, uint32_t Reserved, uint32_t dwType, const uint8_t *lpData, uint32_t cbData)',
  RegCloseKey: 'long __stdcall RegCloseKey(intptr hKey)',
  RegisterEventSourceW: 'intptr __stdcall RegisterEventSourceW(const char16_t *lpUNCServerName, const char16_t *lpSourceName)',
  ReportEventW:
    'bool __stdcall ReportEventW(intptr hEventLog, uint16_t wType, uint16_t wCategory, uint32_t dwEventID, void *lpUserSid, uint16_t wNumStrings, uint32_t dwDataSize, const char16_t **lpStrings, void *lpRawData)',
  DeregisterEventSource: 'bool __stdcall DeregisterEventSource(intptr hEventLog)',
} as const;

/**
 * pywin32's `win32evtlogutil` in TypeScript. Unlike pywin32's `ReportEvent`, which registers and deregisters the
 * source around every event, the source handle is kept per appname until `close()`.
 */
class KoffiBackend implements NTEventLogBackend {
  readonly #fn: Record<keyof typeof ADVAPI32_PROTOTYPES, KoffiFunc>;
  readonly #getLastError: KoffiFunc;
  readonly #sources = new Map<string, unknown>();

  constructor(koffi: Koffi) {
    const advapi32 = koffi.load('advapi32.dll');
    const fn = {} as Record<keyof typeof ADVAPI32_PROTOTYPES, KoffiFunc>;
    for (const [name, sig] of Object.entries(ADVAPI32_PROTOTYPES)) fn[name as keyof typeof ADVAPI32_PROTOTYPES] = advapi32.func(sig);
    this.#fn = fn;
    this.#getLastError = koffi.load('kernel32.dll').func('uint32_t __stdcall GetLastError()');
  }

  addSourceToRegistry(appname: string, dllname: string, logtype: string): void {
    const key = [0];
    const disposition = [0];
    const subkey = `SYSTEM\\CurrentControlSet\\Services\\EventLog\\${logtype}\\${appname}`;
    let rc = this.#fn.RegCreateKeyExW(HKEY_LOCAL_MACHINE, subkey, 0, null, 0, KEY_SET_VALUE, null, key, disposition) as number;
    if (rc !== 0) throw new WinError(rc, 'RegCreateKeyEx');
    const hkey = key[0];
    try {
      const dll = Buffer.from(`${dllname}\0`, 'utf16le');
      rc = this.#fn.RegSetValueExW(hkey, 'EventMessageFile', 0, REG_EXPAND_SZ, dll, dll.length) as number;
      if (rc !== 0) throw new WinError(rc, 'RegSetValueEx');
      const types = Buffer.alloc(4);
      types.writeUInt32LE(EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE);
      rc = this.#fn.RegSetValueExW(hkey, 'TypesSupported', 0, REG_DWORD, types, 4) as number;
      if (rc !== 0) throw new WinError(rc, 'RegSetValueEx');
    } finally {
      this.#fn.RegCloseKey(hkey);
    }
  }

  reportEvent(appname: string, id: number, category: number, type: number, strings: readonly string[]): void {
    let source = this.#sources.get(appname);
    if (source === undefined) {
      source = this.#fn.RegisterEventSourceW(null, appname);
      if (!source) throw new WinError(this.#getLastError() as number, 'RegisterEventSource');
      this.#sources.set(appname, source);
    }
    if (!this.#fn.ReportEventW(source, type, category, id, null, strings.length, 0, [...strings], null)) {
      throw new WinError(this.#getLastError() as number, 'ReportEvent');
    }
  }

  close(): void {
    for (const h of this.#sources.values()) this.#fn.DeregisterEventSource(h);
    this.#sources.clear();
  }
}
