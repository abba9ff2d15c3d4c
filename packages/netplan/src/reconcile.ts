import { readActual } from './actual.js';
import { NetplanError, NetplanErrorCode } from './errors.js';
import { plan } from './plan.js';
import type { ActualState, HostPlumbing, PlanLogger, Runner, Step } from './types.js';

export interface ReconcileOptions {
  log?: PlanLogger;
  /** Stops between steps; the next reconcile picks up where this one left off. */
  signal?: AbortSignal;
}

export interface ReconcileResult {
  /** Steps attempted, in order (failed ones included; see `problems`). */
  steps: Step[];
  /** Successful steps that corrected something that already existed (`Step.repair`). */
  driftRepaired: number;
  /** Failed steps, and anything still differing after the pass. Empty when the host converged. */
  problems: string[];
  /** The host as last read: after the steps when there were any, else before (nothing changed). */
  actual: ActualState;
}

/**
 * One level-triggered pass: read the host, plan, apply every step in order, then read again to verify.
 * Idempotent: on a converged host it runs no command but the reads. A failed step is reported in
 * `problems` and the pass goes on (later steps may still succeed; the next pass retries the rest).
 * Throws NetplanError when `desired` is invalid (INVALID_ARGUMENT), the state cannot be read
 * (UNAVAILABLE), or the signal aborts (ABORTED).
 */
export async function reconcile(
  desired: HostPlumbing,
  runner: Runner,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const { log, signal } = options;
  let actual = await readActual(runner);
  const steps = plan(desired, actual);
  const problems: string[] = [];
  let driftRepaired = 0;
  for (const step of steps) {
    if (signal?.aborted)
      throw new NetplanError(NetplanErrorCode.Aborted, 'reconcile aborted', { cause: signal.reason });
    const r = await runner.run(step.argv, step.input);
    if (r.code === 0) {
      if (step.repair) driftRepaired++;
      log?.info({ argv: step.argv, why: step.why, repair: step.repair }, 'netplan step');
    } else {
      const problem = `${step.argv.join(' ')} (${step.why}): exit ${r.code}: ${r.stderr.trim()}`;
      problems.push(problem);
      log?.warn(
        { argv: step.argv, why: step.why, code: r.code, stderr: r.stderr.trim() },
        'netplan step failed',
      );
    }
  }
  if (steps.length > 0) {
    // Read back and verify, as CNI's ensure* helpers do: what is still off is a problem to report.
    actual = await readActual(runner);
    for (const left of plan(desired, actual)) {
      problems.push(`not converged: ${left.why}`);
    }
  }
  return { steps, driftRepaired, problems, actual };
}
