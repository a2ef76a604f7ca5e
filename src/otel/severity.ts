/**
 * Python levels → OpenTelemetry severity: `_STD_TO_OTEL`/`std_to_otel` and the severity text of `_translate`,
 * opentelemetry-python 0a5d76b, opentelemetry-sdk/src/opentelemetry/sdk/_logs/_internal/__init__.py lines 952-1010
 * and 626-634. The numbers are `SeverityNumber` values (UNSPECIFIED 0, DEBUG 5 … FATAL4 24), written out so this
 * file loads nothing.
 */

// 10-13 → DEBUG..DEBUG4, 14-19 → DEBUG4, likewise from 20 (INFO 9), 30 (WARN 13), 40 (ERROR 17), 50-53 (FATAL 21).
function bandOf(levelno: number): number {
  const base = Math.floor(levelno / 10); // 1..5
  return 5 + 4 * (base - 1) + Math.min(levelno - base * 10, 3);
}

/**
 * Python's `std_to_otel(levelno)`: below 10 UNSPECIFIED (0), above 53 FATAL4 (24), in between the `_STD_TO_OTEL`
 * table (each standard level and the three above it get the four severities of their band, the rest of the band
 * the fourth).
 */
export function stdToOtel(levelno: number): number {
  if (levelno < 10) return 0;
  if (levelno > 53) return 24;
  // Python indexes a dict of ints: a non-integer level raises KeyError there; here it takes its integer part.
  return bandOf(Math.trunc(levelno));
}

/** Python's level name as OTel severity text: `WARNING` → `WARN`, `CRITICAL` → `FATAL`, others unchanged. */
export function severityText(levelname: string): string {
  return levelname === 'WARNING' ? 'WARN' : levelname === 'CRITICAL' ? 'FATAL' : levelname;
}
