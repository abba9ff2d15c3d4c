/**
 * Watches one host namespace's flood entries (`00:00:00:00:00:00 dev nsvx<vni> dst <vtep>`) with
 * one long-lived `bridge monitor fdb` in that namespace, so the join benchmark learns of a new
 * entry when the kernel announces it instead of polling peers with a process per peer per round
 * (which loaded the 2-core machine it was measuring and was up to a round late).
 *
 * A line is timestamped when this process reads it: a sample can only come out late, never early.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nowMs } from './session-worker.js';

const FLOOD = /^(Deleted )?00:00:00:00:00:00 dev (\S+) dst (\S+)/;

export class FloodWatch {
  private readonly child: ChildProcess;
  /** When each destination's flood entry was last announced as added (nowMs). */
  private readonly addedAt = new Map<string, number>();
  /** Lines read: a monitor that has printed anything is subscribed. */
  lines = 0;

  constructor(
    readonly ns: string,
    private readonly device: string,
    /** Called on every announced change of one of the device's flood entries. */
    private readonly onChange: () => void,
  ) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'bridge', 'monitor', 'fdb'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.on('error', () => {}); // exit is handled by the caller's fallback poll
    const rl = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      const at = nowMs();
      this.lines++;
      const m = FLOOD.exec(line);
      if (!m || m[2] !== this.device) return;
      const dst = m[3] as string;
      if (m[1]) this.addedAt.delete(dst);
      else this.addedAt.set(dst, at);
      this.onChange();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** When the flood entry to `dst` was announced, if that was at or after `since` (nowMs). */
  addedSince(dst: string, since: number): number | undefined {
    const at = this.addedAt.get(dst);
    return at !== undefined && at >= since ? at : undefined;
  }

  /** Stops the monitor (our own child, by its pid). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }
}
