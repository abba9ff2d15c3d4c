import { readActual } from './actual.js';
import { NetplanError, NetplanErrorCode } from './errors.js';
import { plan, planPeerChange } from './plan.js';
import type { ActualState, HostPlumbing, PlanLogger, Runner, Step } from './types.js';

export interface ReconcileOptions {
  log?: PlanLogger;
  /** Stops between steps; the next reconcile picks up where this one left off. */
  signal?: AbortSignal;
  /**
   * The desired state this host last converged to (a pass that reported no problems). When
   * `desired` differs from it only in peers and remote MACs, the pass applies just those flood and
   * MAC entries (`planPeerChange`) without reading the host; if one of them fails, it goes on with
   * a full pass. Leave it out to read, plan and verify everything (drift repair).
   */
  previous?: HostPlumbing;
}

export interface ReconcileResult {
  /** Steps attempted, in order (failed ones included; see `problems`). */
  steps: Step[];
  /** Successful steps that corrected something that already existed (`Step.repair`). */
  driftRepaired: number;
  /** Failed steps, and anything still differing after the pass. Empty when the host converged. */
  problems: string[];
  /**
   * The host as last read: after the steps when there were any, else before (nothing changed).
   * Undefined when the pass applied a peer change without reading the host (`previous`).
   */
  actual?: ActualState;
}

/**
 * One level-triggered pass: read the host, plan, apply every step in order, then read again to verify.
 * Idempotent: on a converged host it runs no command but the reads. A failed step is reported in
 * `problems` and the pass goes on (later steps may still succeed; the next pass retries the rest).
 * With `options.previous`, a change of peers only is applied without reading (see there).
 * Throws NetplanError when `desired` is invalid (INVALID_ARGUMENT), the state cannot be read
 * (UNAVAILABLE), or the signal aborts (ABORTED).
 */
export async function reconcile(
  desired: HostPlumbing,
  runner: Runner,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const { log, signal, previous } = options;
  const quick = previous ? planPeerChange(previous, desired) : undefined;
  if (quick) {
    // Independent entries on existing devices: run them side by side.
    const results = await Promise.all(quick.map((step) => apply(step, runner, log, signal)));
    if (results.every((r) => r.ok)) return { steps: quick, driftRepaired: 0, problems: [] };
    log?.warn({ failed: results.filter((r) => !r.ok).length }, 'peer change failed; reconciling in full');
    const full = await reconcile(desired, runner, { ...(log ? { log } : {}), ...(signal ? { signal } : {}) });
    return { ...full, steps: [...quick, ...full.steps] };
  }
  let actual = await readActual(runner);
  const steps = plan(desired, actual);
  const problems: string[] = [];
  let driftRepaired = 0;
  for (const step of steps) {
    const r = await apply(step, runner, log, signal);
    if (r.ok) {
      if (step.repair) driftRepaired++;
    } else problems.push(r.problem);
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

/** Runs one step and logs it; a non-zero exit is returned as a problem, not thrown. */
async function apply(
  step: Step,
  runner: Runner,
  log: PlanLogger | undefined,
  signal: AbortSignal | undefined,
): Promise<{ ok: true } | { ok: false; problem: string }> {
  if (signal?.aborted)
    throw new NetplanError(NetplanErrorCode.Aborted, 'reconcile aborted', { cause: signal.reason });
  const r = await runner.run(step.argv, step.input);
  if (r.code === 0) {
    log?.info({ argv: step.argv, why: step.why, repair: step.repair }, 'netplan step');
    return { ok: true };
  }
  log?.warn({ argv: step.argv, why: step.why, code: r.code, stderr: r.stderr.trim() }, 'netplan step failed');
  return { ok: false, problem: `${step.argv.join(' ')} (${step.why}): exit ${r.code}: ${r.stderr.trim()}` };
}
