/**
 * python3 as the oracle: tests send it a script and JSON, it answers with JSON.
 *
 * CPython 3.13 is preferred (pyenv's `~/.pyenv/versions/3.13.0/bin/python3`); where it is absent we fall back to
 * `python3` (3.11 on these machines). Tests whose expectations differ between the two check `PYTHON_VERSION`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function findPython(): string {
  const fromEnv = process.env['PYLOGGING_PYTHON'];
  if (fromEnv) return fromEnv;
  const pyenv313 = join(homedir(), '.pyenv', 'versions', '3.13.0', 'bin', 'python3');
  return existsSync(pyenv313) ? pyenv313 : 'python3';
}

/** The interpreter the oracle runs. */
export const PYTHON = findPython();

/** `[major, minor]` of {@link PYTHON}, e.g. `[3, 13]`. */
export const PYTHON_VERSION: readonly [number, number] = (() => {
  const out = execFileSync(PYTHON, ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], {
    encoding: 'utf8',
  });
  const [major, minor] = out.trim().split(' ').map(Number);
  return [major ?? 3, minor ?? 0] as const;
})();

/** True when the oracle is CPython 3.13 or later. */
export const IS_PY313 = PYTHON_VERSION[0] > 3 || (PYTHON_VERSION[0] === 3 && PYTHON_VERSION[1] >= 13);

export interface RunPythonOptions {
  /** Extra environment, e.g. `{ TZ: 'America/New_York' }`. */
  env?: Record<string, string>;
}

/**
 * Runs `script` under {@link PYTHON} with `input` as JSON on stdin and returns the JSON the script prints.
 * The script reads `json.load(sys.stdin)` and ends with `print(json.dumps(result))`. Synchronous on purpose: tables
 * are generated once, when a test file loads, so every case can carry its own `test()`.
 */
export function runPython<T = unknown>(script: string, input: unknown = null, options: RunPythonOptions = {}): T {
  const out = execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}
