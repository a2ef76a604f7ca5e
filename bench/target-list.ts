/**
 * The speed targets a bench run checks, as one structured list: each scenario that has a target calls
 * {@link check} where it computes the figure, prints its table or line from the returned {@link Target}, and
 * hands it back to bench/index.ts, which writes the whole list with `--json-out=FILE`. bench/targets.ts runs the
 * bench several times and tabulates these lists (issue 18: a target is met only when it holds in every one of
 * five runs).
 */

/**
 * How a target's value is read and shown: `×` a ratio, `%` a ratio shown in per cent, `B` bytes, `yes/no` 1 or 0.
 */
export type TargetUnit = '×' | '%' | 'B' | 'yes/no';

/** One target, as measured in one run. */
export interface Target {
  /** Short and stable across runs and versions (`json`, `floor`, `queue-calls`, …): bench/targets.ts keys on it. */
  readonly id: string;
  /** The line printed in the tables, bound and issue included. */
  readonly text: string;
  /** The measured figure (for `%`, the ratio: 0.7 is 70 %). NaN when the figure could not be computed. */
  readonly value: number;
  readonly unit: TargetUnit;
  /** Met when value ≥ min (higher is better). */
  readonly min?: number;
  /** Met when value ≤ max (lower is better: start-up time, bytes). */
  readonly max?: number;
  readonly met: boolean;
}

/**
 * What `--json-out=FILE` writes: every target this run checked, and what the figures depend on. bench/targets.ts
 * reads one per run.
 */
export interface RunReport {
  node: string;
  cpu: string;
  cpus: number;
  argv: string[];
  /** `os.loadavg()` (1, 5 and 15 minutes) when the run started and when it ended. */
  start: { time: string; loadavg: number[] };
  end: { time: string; loadavg: number[] };
  targets: Target[];
}

/** Builds a target; `met` follows from the bound (a NaN value is never met). */
export function check(
  id: string,
  text: string,
  value: number,
  unit: TargetUnit,
  bound: { readonly min: number } | { readonly max: number },
): Target {
  const met = 'min' in bound ? value >= bound.min : value <= bound.max;
  return { id, text, value, unit, ...bound, met };
}

/** `value` as the tables show it: `1.34×`, `71%`, `241 B`, `yes`. */
export function shown(value: number, unit: TargetUnit): string {
  if (Number.isNaN(value)) return '—';
  switch (unit) {
    case '×':
      return `${value.toFixed(2)}×`;
    case '%':
      return `${(100 * value).toFixed(0)}%`;
    case 'B':
      return `${Math.round(value).toLocaleString('en-US')} B`;
    case 'yes/no':
      return value >= 1 ? 'yes' : 'no';
  }
}

/** The bound as text: `≥ 1.3×`, `≥ 70%`, `≤ 400 B`, `yes`. */
export function boundText(t: Pick<Target, 'unit' | 'min' | 'max'>): string {
  if (t.unit === 'yes/no') return 'yes';
  if (t.min !== undefined) return `≥ ${shownBound(t.min, t.unit)}`;
  if (t.max !== undefined) return `≤ ${shownBound(t.max, t.unit)}`;
  return '—';
}

/** A bound as its target's text writes it: `1.3×` rather than `1.30×`, `1.0×` rather than `1×`. */
function shownBound(x: number, unit: TargetUnit): string {
  if (unit === '%') return `${+(100 * x).toFixed(1)}%`;
  if (unit === 'B') return `${x} B`;
  return `${Number.isInteger(x) ? x.toFixed(1) : String(+x.toFixed(2))}×`;
}

/** The Markdown table `| target | measured | met |` of `targets`, under `### title`. */
export function formatTargets(title: string, targets: readonly Target[]): string {
  const lines = [`### ${title}`, '', '| target | measured | met |', '| --- | ---: | :---: |'];
  for (const t of targets) lines.push(`| ${t.text} | ${shown(t.value, t.unit)} | ${t.met ? 'yes' : 'NO'} |`);
  return `${lines.join('\n')}\n`;
}

/** One target as a line under a scenario's table: `text: 1.34× → met` (or `NOT met`). */
export function formatTargetLine(t: Target): string {
  return `${t.text}: ${shown(t.value, t.unit)} → ${t.met ? 'met' : 'NOT met'}`;
}
