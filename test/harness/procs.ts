import type { ChildProcess } from 'node:child_process';

/**
 * Bookkeeping for every child process the harness starts, so that none outlives the test process:
 * on 'exit' (and on SIGINT/SIGTERM/SIGHUP, which would otherwise skip 'exit') each live child is
 * SIGKILLed by pid.
 */
const live = new Set<ChildProcess>();
const exitCleanups = new Set<() => void>();
let hooked = false;

function killAllSync(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        // A paused (SIGSTOPped) process still dies on SIGKILL.
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  for (const fn of exitCleanups) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
  exitCleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  // Restore the default disposition and re-raise so the process dies the way it would have.
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllSync);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only take over a signal nobody else handles: a test that installs its own handler keeps it.
    if (process.listenerCount(s) === 0) process.on(s, onSignal);
  }
}

export function track(child: ChildProcess): void {
  hook();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/**
 * Run `fn` (synchronously) if the test process exits or is signalled, after all children were
 * killed. Returns a function that cancels it.
 */
export function atExit(fn: () => void): () => void {
  hook();
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once `child` has exited (immediately if it already has). */
export function waitExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Like waitExit, but gives up after `ms`; resolves true if the child exited in time. */
export function waitExitFor(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(child.pid, sig);
  } catch {
    // raced with exit
  }
}

/** Keeps the last `size` lines written to a stream (partial lines are completed on the next chunk). */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = '';
  private readonly listeners = new Set<(line: string) => void>();

  constructor(private readonly size: number) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.add(line.replace(/\r$/, ''));
  }

  /** Flush a trailing line that had no newline (call when the stream ends). */
  end(): void {
    if (this.partial !== '') {
      this.add(this.partial);
      this.partial = '';
    }
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  tail(n = this.size): string[] {
    const all = this.partial === '' ? this.lines : [...this.lines, this.partial];
    return all.slice(-n);
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
    for (const fn of this.listeners) fn(line);
  }
}
