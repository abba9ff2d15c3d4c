import { Counter, counterFrom, Gauge, newRegistry, type Registry } from '@netspan/metrics';
import type { Agent } from './agent.js';

/**
 * The agent's Prometheus metrics, read from the agent's own counters at scrape time (the
 * reconcile loop and the relay never call into prom-client).
 */
export function agentMetrics(agent: Agent, hostId: string): Registry {
  const registry = newRegistry({ host: hostId });
  const registers = [registry];
  /** A counter fed from a number kept by the agent; each has its own memory of the last value. */
  const counter = (name: string, help: string, read: () => Array<[Record<string, string>, number]>) => {
    const feed = counterFrom();
    const labelNames = Object.keys(read()[0]?.[0] ?? {});
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const [labels, value] of read()) feed(this, value, labels);
      },
    });
  };
  counter(
    'netspan_agent_reconcile_runs_total',
    'Reconcile passes (after each desired-state change and every --resync-interval).',
    () => [[{}, agent.stats.reconciles]],
  );
  counter(
    'netspan_agent_reconcile_failures_total',
    'Reconcile passes that failed before planning (host state could not be read).',
    () => [[{}, agent.stats.failures]],
  );
  counter(
    'netspan_agent_plumbing_steps_total',
    'ip/bridge/nft commands applied to converge the host on its desired state.',
    () => [[{}, agent.stats.stepsApplied]],
  );
  counter(
    'netspan_agent_drift_repaired_total',
    'Commands applied while the desired state was unchanged: drift someone else caused, repaired.',
    () => [[{}, agent.stats.driftRepaired]],
  );
  counter(
    'netspan_agent_session_failures_total',
    'Sessions with ipamd that ended or were refused (each is followed by a reconnect with backoff).',
    () => [[{}, agent.control.stats.failures]],
  );
  counter(
    'netspan_agent_dhcp_packets_total',
    "Guests' DHCP packets by what became of them: received on a bridge, relayed, answered, dropped by ipamd, unanswered (ipamd unreachable), send errors.",
    () => {
      const s = agent.relay.stats;
      return [
        [{ outcome: 'received' }, s.received],
        [{ outcome: 'relayed' }, s.relayed],
        [{ outcome: 'answered' }, s.replies],
        [{ outcome: 'dropped' }, s.dropped],
        [{ outcome: 'unanswered' }, s.unreachable],
        [{ outcome: 'send_error' }, s.sendErrors],
      ];
    },
  );
  new Gauge({
    name: 'netspan_agent_connected',
    help: '1 while the agent holds a registered session with an ipamd replica.',
    registers,
    collect() {
      this.set(agent.control.connected ? 1 : 0);
    },
  });
  return registry;
}
