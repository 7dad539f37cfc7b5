import { execFile, spawn } from 'node:child_process';
import type { z } from 'zod';

export type CliErrorKind = 'not-found' | 'not-initialized' | 'timeout' | 'cancelled' | 'cli-error' | 'bad-output';

export class CliError extends Error {
  constructor(
    readonly kind: CliErrorKind,
    message: string,
    readonly command: string,
    readonly stderr = '',
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RunOptions {
  cwd?: string;
  /** Variables set on top of the process environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  maxBuffer?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** How many processes the extension has spawned: the idle-cost test reads it. */
export const processStats = { spawned: 0 };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024;

// Words gt and bd print when there is no town or database here.
const NOT_INITIALIZED = /not in a gas town|no \.beads|not initialized|no beads database|database not found|run 'bd init'|run `bd init`|not a gas town workspace/i;

function display(bin: string, args: readonly string[]): string {
  return [bin, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/**
 * The one place that spawns a process: no shell, a timeout, cancellation, a buffer cap, classified errors
 * and one log line per call.
 */
export function runCli(bin: string, args: readonly string[], opts: RunOptions = {}, log?: CliLogger): Promise<RunResult> {
  const started = Date.now();
  const shown = display(bin, args);
  processStats.spawned++;
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
        signal: opts.signal,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        const durationMs = Date.now() - started;
        if (!err) {
          log?.info(`${shown} → 0 in ${durationMs} ms`);
          resolve({ stdout, stderr, durationMs });
          return;
        }
        // execFile puts the errno name or the exit code in `code`, depending on how the child failed.
        const e = err as Error & { killed?: boolean; code?: unknown; signal?: string };
        let failure: CliError;
        if (e.code === 'ENOENT') {
          failure = new CliError('not-found', `${bin} was not found on PATH`, shown);
        } else if (e.name === 'AbortError' || opts.signal?.aborted) {
          failure = new CliError('cancelled', `${shown} was cancelled`, shown);
        } else if (e.killed && e.signal === 'SIGKILL') {
          failure = new CliError('timeout', `${shown} did not finish within ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`, shown, stderr);
        } else if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          failure = new CliError('bad-output', `${shown} printed more than the ${opts.maxBuffer ?? DEFAULT_MAX_BUFFER} bytes allowed`, shown, stderr);
        } else {
          const code = typeof e.code === 'number' ? e.code : undefined;
          const tail = (stderr || stdout).trim().split('\n').slice(-3).join(' ').slice(0, 400);
          const kind: CliErrorKind = NOT_INITIALIZED.test(stderr + stdout) ? 'not-initialized' : 'cli-error';
          failure = new CliError(kind, `${shown} failed${code !== undefined ? ` (exit ${code})` : ''}${tail ? `: ${tail}` : ''}`, shown, stderr, code);
        }
        log?.warn(`${shown} → ${failure.kind} in ${durationMs} ms: ${failure.message}`);
        reject(failure);
      },
    );
  });
}

/** Parses JSON output leniently: the bd envelope `{schema_version, data}` is unwrapped; garbage is a `bad-output` error. */
export function parseCliJson<T>(stdout: string, schema: z.ZodType<T>, command: string): T {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    // Some versions print a warning line before the JSON; take the first JSON value.
    const start = stdout.search(/[[{]/);
    try {
      value = start >= 0 ? JSON.parse(stdout.slice(start)) : undefined;
    } catch {
      value = undefined;
    }
    if (value === undefined) {
      throw new CliError('bad-output', `${command} printed something that is not JSON: ${stdout.slice(0, 120)}`, command);
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value && 'schema_version' in value) {
    value = (value as { data: unknown }).data;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CliError('bad-output', `${command} printed JSON of an unexpected shape (${first?.path.join('.') || 'root'}: ${first?.message})`, command);
  }
  return parsed.data;
}

/** Streams a long-running program's output (the non-interactive agent run); same rules: no shell, a timeout, cancellation. */
export function runStreaming(argv: readonly string[], opts: RunOptions, onData: (chunk: string) => void, log?: CliLogger): Promise<number> {
  const started = Date.now();
  const shown = display(argv[0], argv.slice(1));
  processStats.spawned++;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, signal: opts.signal, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', (err) => {
      onData(`\n${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `${argv[0]} was not found on PATH` : err.message}\n`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      log?.info(`${shown} → ${code ?? 'killed'} in ${Date.now() - started} ms`);
      resolve(code ?? 1);
    });
  });
}
