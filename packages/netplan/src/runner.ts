import { spawn } from 'node:child_process';
import { NetplanError, NetplanErrorCode } from './errors.js';
import type { CommandResult, Runner } from './types.js';

export interface ExecRunnerOptions {
  /** Run every command inside this network namespace (`ip netns exec <netns> ...`); for tests. */
  netns?: string;
  /** Kill a command that runs longer than this (default 10 s). */
  timeoutMs?: number;
}

/**
 * A Runner that spawns `ip`, `bridge` and `nft` directly (no shell). A non-zero exit is returned in
 * `code`; only a command that cannot be started or times out throws (UNAVAILABLE).
 */
export function execRunner(options: ExecRunnerOptions = {}): Runner {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    run(argv: string[], input?: string): Promise<CommandResult> {
      const full = options.netns ? ['ip', 'netns', 'exec', options.netns, ...argv] : argv;
      const [cmd, ...args] = full;
      if (!cmd) return Promise.reject(new NetplanError(NetplanErrorCode.InvalidArgument, 'empty command'));
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(
            new NetplanError(NetplanErrorCode.Unavailable, `cannot run ${cmd}: ${e.message}`, { cause: e }),
          );
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (timedOut) {
            reject(
              new NetplanError(
                NetplanErrorCode.Unavailable,
                `${full.join(' ')}: timed out after ${timeoutMs} ms`,
              ),
            );
            return;
          }
          resolve({
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            code: code ?? (signal ? 128 : 1),
          });
        });
        // A command that exits before reading its input must not crash us with EPIPE.
        child.stdin.on('error', () => {});
        child.stdin.end(input ?? '');
      });
    },
  };
}
