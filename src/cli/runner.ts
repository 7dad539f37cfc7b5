import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as z from 'zod';
import { overseerEnv } from './processEnv';

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

export type LogLevel = 'info' | 'debug' | 'trace';

/** A LogOutputChannel fits; debug and trace are optional so a plain logger does too (it then drops them). */
export interface CliLogger {
  info(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
  trace?(message: string): void;
}

export interface RunOptions {
  cwd?: string;
  /** Variables set on purpose on top of the overseer environment (see processEnv.ts); they win. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes allowed on stdout and on stderr, each. */
  maxBuffer?: number;
  /** The level of the success line: routine probes (polls, has-session) use debug or trace. */
  logLevel?: LogLevel;
  /**
   * A non-zero exit is the program's answer, not a failure (`tmux has-session`: "no"): it is logged at
   * `logLevel` instead of warn. It still rejects as a `cli-error`.
   */
  exitIsAnswer?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ParseOptions {
  /**
   * Plain text that means "none" (e.g. /^No issues found\.?$/m): it parses as `[]`, for a list schema.
   * Without it, text that is not JSON is `bad-output`.
   */
  emptyText?: RegExp;
}

/** How many processes the extension has spawned: the idle-cost test reads it. */
export const processStats = { spawned: 0 };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024;
/** Between SIGTERM and SIGKILL to the process group. */
const KILL_GRACE_MS = 2000;
/**
 * After the process exits, how long its output may take to close. A background grandchild that inherited the
 * pipes (a daemon gt started) can hold them open for ever; the call is over when the process is.
 */
const DRAIN_MS = 300;

// Words gt and bd print when there is no town or database here.
const NOT_INITIALIZED = /not in a gas town|no \.beads|not initialized|no beads database|database not found|run 'bd init'|run `bd init`|not a gas town workspace/i;

const POSIX = process.platform !== 'win32';

function display(bin: string, args: readonly string[]): string {
  return [bin, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function logAt(log: CliLogger | undefined, level: LogLevel, line: string): void {
  if (level === 'info') {
    log?.info(line);
  } else if (level === 'debug') {
    log?.debug?.(line);
  } else {
    log?.trace?.(line);
  }
}

/** Signals the child's whole process group (its own, as it was spawned detached); a gone group is fine. */
function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    // Windows has no process groups here: only the child itself can be reached.
    process.kill(POSIX ? -child.pid : child.pid, sig);
  } catch {
    // ESRCH: every member has exited already.
  }
}

type Ending =
  | { how: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { how: 'timeout' | 'cancelled' | 'overflow' }
  | { how: 'spawn-failed'; error: NodeJS.ErrnoException };

interface Supervised {
  /** Ends the run early (the output was too large): the group is killed and `onEnd` gets `overflow`. */
  overflow(): void;
}

/**
 * Spawns a program in its own process group and reports exactly one ending. A timeout or an abort sends
 * SIGTERM to the group, then SIGKILL after a grace, so grandchildren (a shell's background jobs) die too; the
 * ending is reported when the child has exited or at the SIGKILL, whichever is first, never waiting on pipes a
 * survivor holds.
 */
function supervise(
  argv: readonly string[],
  opts: RunOptions,
  onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
  onEnd: (ending: Ending) => void,
): Supervised {
  let ended = false;
  let exited = false;
  let stopping: Ending | undefined;
  let drain: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  const signal = opts.signal;

  const end = (e: Ending): void => {
    if (ended) {
      return;
    }
    ended = true;
    clearTimeout(timer);
    clearTimeout(drain);
    // The SIGKILL may still be due for a grandchild that ignored SIGTERM, but it must not keep Node alive.
    grace?.unref();
    signal?.removeEventListener('abort', onAbort);
    onEnd(e);
  };
  const stop = (how: 'timeout' | 'cancelled' | 'overflow'): void => {
    if (ended || stopping) {
      return;
    }
    if (exited) {
      // What is left in its group after the program exited (a daemon it started) is not ours to kill.
      end({ how });
      return;
    }
    stopping = { how };
    signalGroup(child, 'SIGTERM');
    grace = setTimeout(() => {
      // The group id is not reused while a member lives; once all are gone this is a harmless ESRCH.
      signalGroup(child, 'SIGKILL');
      end({ how });
    }, KILL_GRACE_MS);
  };
  const onAbort = (): void => stop('cancelled');

  if (signal?.aborted) {
    onEnd({ how: 'cancelled' });
    return { overflow: () => undefined };
  }
  processStats.spawned++;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: overseerEnv(process.env, opts.env),
    // Its own process group, so a timeout can kill what it started; no stdin, so nothing waits on a read.
    detached: POSIX,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  child.stdout?.on('data', (b: Buffer) => {
    if (!ended) {
      onOutput('stdout', b);
    }
  });
  child.stderr?.on('data', (b: Buffer) => {
    if (!ended) {
      onOutput('stderr', b);
    }
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    // After a successful spawn only signalling can fail, and signalGroup does not use child.kill.
    if (child.pid === undefined) {
      end({ how: 'spawn-failed', error });
    }
  });
  child.on('exit', (code, sig) => {
    exited = true;
    clearTimeout(timer);
    if (stopping) {
      end(stopping);
    } else {
      drain = setTimeout(() => end({ how: 'exited', code, signal: sig }), DRAIN_MS);
    }
  });
  child.on('close', (code, sig) => end(stopping ?? { how: 'exited', code, signal: sig }));
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  signal?.addEventListener('abort', onAbort, { once: true });
  return { overflow: () => stop('overflow') };
}

/** What a failed command said: its `Error: …` line where it has one (gt and bd print their usage after it), else its last lines. */
function tail(text: string): string {
  const lines = text.trim().split('\n');
  const error = lines.find((l) => /^\s*Error: /.test(l));
  return (error?.trim() ?? lines.slice(-3).join(' ')).slice(0, 400);
}

/**
 * The one place that runs a command and collects its output: no shell, the overseer environment, a timeout
 * and cancellation that kill the whole process group, a buffer cap, classified errors and one log line per call.
 */
export function runCli(bin: string, args: readonly string[], opts: RunOptions = {}, log?: CliLogger): Promise<RunResult> {
  const started = Date.now();
  const shown = display(bin, args);
  const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const level = opts.logLevel ?? 'info';
  return new Promise((resolve, reject) => {
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0 };
    const run = supervise(
      [bin, ...args],
      opts,
      (stream, chunk) => {
        sizes[stream] += chunk.length;
        if (sizes[stream] > maxBuffer) {
          run.overflow();
        } else {
          chunks[stream].push(chunk);
        }
      },
      (ending) => {
        const durationMs = Date.now() - started;
        const stdout = Buffer.concat(chunks.stdout).toString('utf8');
        const stderr = Buffer.concat(chunks.stderr).toString('utf8');
        let failure: CliError;
        switch (ending.how) {
          case 'exited':
            if (ending.code === 0) {
              logAt(log, level, `${shown} → 0 in ${durationMs} ms`);
              resolve({ stdout, stderr, durationMs });
              return;
            } else {
              const code = ending.code ?? undefined;
              const how = code !== undefined ? ` (exit ${code})` : ending.signal ? ` (killed by ${ending.signal})` : '';
              const t = tail(stderr || stdout);
              const kind: CliErrorKind = NOT_INITIALIZED.test(stderr + stdout) ? 'not-initialized' : 'cli-error';
              failure = new CliError(kind, `${shown} failed${how}${t ? `: ${t}` : ''}`, shown, stderr, code);
            }
            break;
          case 'spawn-failed':
            if (ending.error.code === 'ENOENT' && opts.cwd !== undefined && !fs.existsSync(opts.cwd)) {
              // spawn says ENOENT for a missing working directory too.
              failure = new CliError('not-found', `${shown}: the directory ${opts.cwd} does not exist`, shown);
            } else if (ending.error.code === 'ENOENT') {
              failure = new CliError('not-found', `${bin} was not found on PATH`, shown);
            } else {
              failure = new CliError('cli-error', `${shown} could not start: ${ending.error.message}`, shown);
            }
            break;
          case 'timeout':
            failure = new CliError('timeout', `${shown} did not finish within ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`, shown, stderr);
            break;
          case 'cancelled':
            failure = new CliError('cancelled', `${shown} was cancelled`, shown, stderr);
            break;
          case 'overflow':
            failure = new CliError('bad-output', `${shown} printed more than the ${maxBuffer} bytes allowed`, shown, stderr);
            break;
        }
        const line = `${shown} → ${failure.kind} in ${durationMs} ms: ${failure.message}`;
        if (opts.exitIsAnswer && ending.how === 'exited') {
          logAt(log, level, line);
        } else {
          log?.warn(line);
        }
        reject(failure);
      },
    );
  });
}

/** Where each line that could start a JSON document begins (`{` or `[` in column 0). */
function jsonStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i = text.indexOf('\n', i) + 1 || text.length) {
    if (text[i] === '{' || text[i] === '[') {
      starts.push(i);
    }
  }
  return starts;
}

/** The end (exclusive) of the bracketed value that starts at `start`, skipping strings; -1 if it never closes. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') {
        i++;
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return -1;
}

const NOT_JSON = Symbol('not JSON');

/** The first JSON document in the output: lines of preamble (`[WARN] …`) before it and text after it are skipped. */
function firstJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    // Not a clean document: look for one line by line.
  }
  const text = stdout.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  for (const start of jsonStarts(text)) {
    const end = valueEnd(text, start);
    if (end < 0) {
      continue;
    }
    try {
      return JSON.parse(text.slice(start, end)) as unknown;
    } catch {
      // `[WARN] …` looks like the start of an array; try the next line.
    }
  }
  return NOT_JSON;
}

/**
 * Parses a command's JSON output leniently: a preamble and trailing text are skipped, the bd envelope
 * `{schema_version, data}` is unwrapped, and anything else is a `bad-output` error.
 */
export function parseCliJson<T>(stdout: string, schema: z.ZodType<T>, command: string, opts: ParseOptions = {}): T {
  let value = firstJson(stdout);
  if (value === NOT_JSON) {
    if (opts.emptyText?.test(stdout.trim())) {
      value = [];
    } else {
      throw new CliError('bad-output', `${command} printed something that is not JSON: ${stdout.trim().slice(0, 120)}`, command);
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

/**
 * Streams a long-running program's output (the non-interactive agent run); same rules as runCli: no shell,
 * the overseer environment, a timeout and cancellation that kill the process group. Resolves with the exit
 * code (1 when it could not start or was stopped).
 */
export function runStreaming(argv: readonly string[], opts: RunOptions, onData: (chunk: string) => void, log?: CliLogger): Promise<number> {
  const started = Date.now();
  const shown = display(argv[0], argv.slice(1));
  return new Promise((resolve) => {
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    supervise(
      argv,
      opts,
      (stream, chunk) => onData(decoders[stream].decode(chunk, { stream: true })),
      (ending) => {
        const ms = Date.now() - started;
        let code = 1;
        switch (ending.how) {
          case 'exited':
            code = ending.code ?? 1;
            logAt(log, opts.logLevel ?? 'info', `${shown} → ${ending.code ?? ending.signal ?? 'killed'} in ${ms} ms`);
            break;
          case 'spawn-failed':
            onData(`\n${ending.error.code === 'ENOENT' ? `${argv[0]} was not found on PATH` : ending.error.message}\n`);
            log?.warn(`${shown} → not started: ${ending.error.message}`);
            break;
          default:
            onData(`\n${shown} ${ending.how === 'timeout' ? `did not finish within ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s` : 'was cancelled'}\n`);
            log?.warn(`${shown} → ${ending.how} in ${ms} ms`);
        }
        resolve(code);
      },
    );
  });
}
