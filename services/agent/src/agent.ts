import { randomUUID } from 'node:crypto';
import { networkFromPb, type pb } from '@netspan/api';
import { effectiveMtu, effectiveServiceAddress, normalizeNetwork, serviceMacFor } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import {
  bridgeName,
  execRunner,
  type HostPlumbing,
  type NetworkPlumbing,
  type ObservedNetwork,
  observePlumbing,
  type Runner,
  reconcile,
} from '@netspan/netplan';
import type { AgentConfig } from './config.js';
import { ControlClient } from './control.js';
import { DhcpRelay, RelayStream } from './dhcp-relay.js';

export { type AgentConfig, ConfigError, FLAGS, loadConfig, usage } from './config.js';

/** What the host must look like for a desired state, and which bridge serves which network. */
export interface PlumbingPlan {
  host: HostPlumbing;
  bridges: Map<string, string>;
  problems: string[];
}

/** Desired state (from ipamd) → host plumbing: pure, so it is tested without a kernel. */
export function plumbingFor(state: pb.DesiredState, cfg: AgentConfig): PlumbingPlan {
  const problems: string[] = [];
  const bridges = new Map<string, string>();
  const vtepOf = new Map(state.peers.map((p) => [p.hostId, p.vtepAddress]));
  const networks: NetworkPlumbing[] = [];
  for (const pbNet of state.networks) {
    let net: ReturnType<typeof normalizeNetwork>;
    try {
      net = normalizeNetwork(networkFromPb(pbNet));
    } catch (err) {
      problems.push(`network ${pbNet.name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (!net.vni) {
      problems.push(`network ${net.name} has no VNI yet`);
      continue;
    }
    if (net.encapsulation === 'vlan' && !cfg.uplink) {
      problems.push(`network ${net.name} is VLAN-encapsulated but this agent has no --uplink`);
      continue;
    }
    const peers = [
      ...new Set(
        state.peers
          .filter((p) => p.hostId !== cfg.hostId && p.vtepAddress !== cfg.vtepAddress)
          .filter((p) => p.networks.includes(net.name))
          .map((p) => p.vtepAddress),
      ),
    ].sort();
    const remoteMacs = cfg.remoteMacs
      ? state.guests
          .filter((g) => g.network === net.name && g.hostId !== cfg.hostId)
          .map((g) => ({ mac: g.mac, vtep: vtepOf.get(g.hostId) ?? '' }))
          .filter((g) => g.vtep && g.vtep !== cfg.vtepAddress)
      : [];
    networks.push({
      name: net.name,
      vni: net.vni,
      encapsulation: net.encapsulation,
      vlanId: net.vlanId,
      mtu: effectiveMtu(net, cfg.underlayMtu),
      serviceAddress: effectiveServiceAddress(net),
      serviceMac: serviceMacFor(net.vni),
      peers,
      ...(cfg.remoteMacs ? { remoteMacs } : {}),
    });
    bridges.set(net.name, bridgeName(net.vni));
  }
  return {
    host: {
      localVtep: cfg.vtepAddress,
      ...(cfg.vtepInterface ? { underlayDevice: cfg.vtepInterface } : {}),
      ...(cfg.uplink ? { uplink: cfg.uplink } : {}),
      networks,
    },
    bridges,
    problems,
  };
}

/**
 * The host agent: registers with ipamd, reconciles the host's bridges and tunnels to the
 * desired state it is sent (and again every resync interval, to repair drift), and relays
 * guests' DHCP from each bridge. Stopping leaves the plumbing in place: guests keep their
 * links while the agent restarts.
 */
export class Agent {
  readonly control: ControlClient;
  readonly relay: DhcpRelay;
  private readonly runner: Runner;
  private desired: pb.DesiredState | undefined;
  /** The host plumbing the last problem-free pass converged to, and its JSON. */
  private lastApplied: HostPlumbing | undefined;
  private lastAppliedKey = '';
  private running: Promise<void> | undefined;
  private dirty = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly stats = { reconciles: 0, stepsApplied: 0, driftRepaired: 0, failures: 0 };

  constructor(
    private readonly cfg: AgentConfig,
    private readonly log: Logger,
    opts: { runner?: Runner } = {},
  ) {
    this.runner = opts.runner ?? execRunner();
    this.control = new ControlClient(cfg, log, randomUUID());
    this.relay = new DhcpRelay(
      new RelayStream(cfg.hostId, cfg.joinToken, log),
      () => this.control.clients,
      log,
    );
    this.control.on('desired', (state) => {
      this.desired = state;
      this.kick();
    });
  }

  start(): void {
    this.log.info(
      {
        host: this.cfg.hostId,
        vtep: this.cfg.vtepAddress,
        ipamd: this.cfg.ipamdEndpoints,
        underlayMtu: this.cfg.underlayMtu,
      },
      'agent starting',
    );
    this.control.start();
    this.resyncTimer = setInterval(() => this.kick(), this.cfg.resyncIntervalSeconds * 1000);
  }

  /** Runs a reconcile now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no reconcile is running or queued. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      const state = this.desired;
      if (!state) return;
      await this.reconcileOnce(state);
    } while (this.dirty && !this.stopped);
  }

  private async reconcileOnce(state: pb.DesiredState): Promise<void> {
    const plan = plumbingFor(state, this.cfg);
    const key = JSON.stringify(plan.host);
    const problems = [...plan.problems];
    let steps = 0;
    let drift = 0;
    let observed: ObservedNetwork[] | undefined;
    try {
      // A changed desired state starts from the one the host converged to: a peer joining or
      // leaving is then one flood entry, not a full read of the host. An unchanged one (the
      // resync timer) gets the full pass that finds drift.
      const previous = key === this.lastAppliedKey ? undefined : this.lastApplied;
      const res = await reconcile(plan.host, this.runner, {
        log: this.log,
        ...(previous ? { previous } : {}),
      });
      // A peer change applied without reading the host has nothing to show: the report says it
      // observed nothing, and the next full pass (the resync timer) observes again.
      observed = res.actual && observePlumbing(res.actual);
      steps = res.steps.length;
      // Steps against an unchanged desired state are drift (someone changed the host);
      // steps after a change of desired state are convergence.
      if (key === this.lastAppliedKey) drift = res.driftRepaired;
      problems.push(...res.problems);
      if (res.problems.length === 0) {
        this.lastAppliedKey = key;
        this.lastApplied = plan.host;
      } else {
        this.lastApplied = undefined;
      }
    } catch (err) {
      this.stats.failures++;
      this.lastApplied = undefined;
      problems.push(`reconcile failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    problems.push(...(await this.relay.sync(plan.bridges)));
    this.stats.reconciles++;
    this.stats.stepsApplied += steps;
    this.stats.driftRepaired += drift;
    if (steps > 0 || problems.length > 0)
      this.log.info(
        {
          revision: Number(state.revision),
          steps,
          driftRepaired: drift,
          problems,
          networks: plan.bridges.size,
        },
        'reconciled',
      );
    // What the host looks like now goes with the report: ipamd judges it against what it sent.
    this.control.report({
      desiredRevision: state.revision,
      driftRepaired: drift,
      problems,
      networks: observed ?? [],
      observed: observed !== undefined,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.settled();
    await this.control.stop();
    this.relay.close();
    this.log.info('agent stopped (plumbing left in place)');
  }
}
