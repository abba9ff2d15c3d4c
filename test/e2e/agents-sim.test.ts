/**
 * The whole stack across hosts made of network namespaces: etcd + ipamd, an agent per host
 * building bridges and VXLAN, guests running busybox udhcpc (see test/sim/sim.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unary } from '@netspan/api';
import { waitFor } from '../harness/index.js';
import { AGENT_METRICS_PORT, inNs, Sim, type SimGuest } from '../sim/sim.js';

let sim: Sim;

before(async () => {
  sim = await Sim.up({
    hosts: 3,
    guestsPerHost: 2,
    networks: [
      { name: 'sim', cidr: '10.250.0.0/24' },
      { name: 'sim2', cidr: '10.251.0.0/24' },
    ],
    resyncSeconds: 2,
  });
});
after(async () => {
  await sim?.down();
});

const guest = (name: string) => sim.guests.find((g) => g.name === name) as SimGuest;
const onSim = () => sim.guests.filter((g) => g.network === 'sim');

async function ifindex(host: string, dev: string): Promise<number> {
  const out = await inNs(sim.hostNs(host), 'cat', `/sys/class/net/${dev}/ifindex`);
  return Number(out.trim());
}

describe('agents across hosts', () => {
  it('gives every guest a distinct address with the VXLAN MTU and the service address as server id', async () => {
    const guests = onSim();
    assert.equal(guests.length, 6);
    const addresses = guests.map((g) => g.address);
    assert.equal(new Set(addresses).size, 6, addresses.join(' '));
    for (const g of guests) {
      assert.match(g.address, /^10\.250\.0\.\d+$/);
      const bound = sim.events(g).find((e) => e.startsWith('bound ')) as string;
      assert.match(bound, /mtu=1450/);
      assert.match(bound, /serverid=10\.250\.0\.254/);
    }
  });

  it('records each lease at the guest’s own host (only that host relayed it)', async () => {
    for (const g of onSim()) {
      const res = await unary(sim.api.ipam, sim.api.ipam.GetLease, { network: 'sim', address: g.address });
      assert.equal(res.lease?.location?.host, g.host, g.name);
      assert.equal(res.lease?.hostname, g.name);
    }
  });

  it('lets every guest ping every other guest across hosts', async () => {
    const matrix = await sim.pingMatrix();
    const failed = matrix.filter((p) => !p.ok);
    assert.deepEqual(failed, []);
    assert.equal(matrix.length, 30);
  });

  it('renews by unicast to the service address from every host', async () => {
    for (const g of onSim().filter((x) => x.name.endsWith('-1'))) {
      const before = sim.events(g).filter((e) => e.startsWith('renew ')).length;
      process.kill(g.udhcpcPid, 'SIGUSR1');
      await waitFor(() => sim.events(g).filter((e) => e.startsWith('renew ')).length > before, {
        what: `${g.name} to renew`,
        timeoutMs: 10_000,
      });
      const renew = sim
        .events(g)
        .filter((e) => e.startsWith('renew '))
        .pop() as string;
      assert.match(renew, new RegExp(`ip=${g.address.replaceAll('.', '\\.')} `));
    }
  });

  it('isolates two networks on one host: no lease from, no reachability to the other', async () => {
    const other = await sim.addGuest('iso-1', 'host1', 'sim2');
    const address = await sim.waitBound(other);
    assert.match(address, /^10\.251\.0\.\d+$/, 'lease from its own network');
    const neighbour = guest('g1-1');
    assert.equal(await sim.ping(other, neighbour.address), false, 'sim2 guest cannot reach a sim guest');
    assert.equal(await sim.ping(neighbour, address), false, 'and the other way round');
    // Not just routing: even with an address in the other network's subnet, L2 is separate.
    await inNs(other.ns, 'ip', 'addr', 'add', '10.250.0.250/24', 'dev', 'eth0');
    assert.equal(await sim.ping(other, neighbour.address), false, 'no L2 path between the bridges');
    await inNs(other.ns, 'ip', 'addr', 'del', '10.250.0.250/24', 'dev', 'eth0');
    const remote = await sim.addGuest('iso-2', 'host2', 'sim2');
    await sim.waitBound(remote);
    assert.equal(await sim.ping(other, remote.address, 2), true, 'sim2 spans hosts too');
  });

  it('keeps the address when a guest migrates, and reachability returns within 2 s', async () => {
    const g = guest('g1-2');
    const peer = guest('g3-1');
    const before = g.address;
    await sim.migrate(g, 'host2');
    assert.equal(g.address, before);
    const t0 = Date.now();
    await waitFor(() => sim.ping(peer, g.address, 1), {
      what: 'the migrated guest to answer',
      timeoutMs: 2000,
      intervalMs: 0,
    });
    const ms = Date.now() - t0;
    assert.ok(ms <= 2000, `reachable again after ${ms} ms`);
    const res = await unary(sim.api.ipam, sim.api.ipam.GetLease, { network: 'sim', address: g.address });
    assert.equal(res.lease?.location?.host, 'host2', 'the lease follows the guest');
  });

  it('repairs drift: a flood entry deleted by hand comes back at the next resync', async () => {
    const vni = await sim.vniOf('sim');
    const victim = sim.vtepOf('host2');
    await inNs(
      sim.hostNs('host1'),
      'bridge',
      'fdb',
      'del',
      '00:00:00:00:00:00',
      'dev',
      `nsvx${vni}`,
      'dst',
      victim,
    );
    assert.ok(!(await sim.floodTargets('host1')).includes(victim));
    await waitFor(async () => (await sim.floodTargets('host1')).includes(victim), {
      what: 'the flood entry to come back',
      timeoutMs: 8000,
    });
  });

  it('exposes the agent’s metrics: connected, reconciles, the drift it repaired, guests’ DHCP', async () => {
    const scrape = () =>
      inNs(sim.hostNs('host1'), 'busybox', 'wget', '-qO-', `http://127.0.0.1:${AGENT_METRICS_PORT}/metrics`);
    const value = (text: string, name: string) =>
      Number(new RegExp(`^${name}(?:[{][^}]*[}])? (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
    // The counter moves when the pass that put the entry back finishes: poll briefly.
    await waitFor(async () => value(await scrape(), 'netspan_agent_drift_repaired_total') >= 1, {
      what: 'the repaired drift (the flood entry put back by hand) to be counted',
      timeoutMs: 5000,
    });
    const text = await scrape();
    assert.equal(value(text, 'netspan_agent_connected'), 1);
    assert.ok(value(text, 'netspan_agent_reconcile_runs_total') > 1);
    assert.match(text, /netspan_agent_dhcp_packets_total[{]outcome="answered",host="host1"[}] [1-9]/);
    const ready = await inNs(
      sim.hostNs('host1'),
      'busybox',
      'wget',
      '-qO-',
      `http://127.0.0.1:${AGENT_METRICS_PORT}/readyz`,
    );
    assert.equal(ready.trim(), 'ready');
  });

  it('does not interrupt a running ping when an agent restarts', async () => {
    const a = guest('g1-1');
    const b = guest('g2-1');
    const bridge = `nsbr${await sim.vniOf('sim')}`;
    const idx = await ifindex('host1', bridge);
    const pinging = inNs(a.ns, 'busybox', 'ping', '-c', '30', '-i', '0.1', '-W', '1', b.address);
    await new Promise((r) => setTimeout(r, 300));
    await sim.stopAgent('host1', 'SIGTERM');
    sim.startAgent('host1');
    await sim.waitForPeers();
    const out = await pinging;
    assert.match(out, /30 packets transmitted, 30 packets received/, out);
    assert.equal(await ifindex('host1', bridge), idx, 'the bridge was not recreated');
  });

  it('removes a killed agent’s flood entries on every peer within TTL + 2 s, and restores them when it returns', async () => {
    const ttlMs = 3000;
    const vtep = sim.vtepOf('host3');
    const t0 = Date.now();
    await sim.stopAgent('host3', 'SIGKILL');
    await waitFor(
      async () => {
        for (const h of ['host1', 'host2']) if ((await sim.floodTargets(h)).includes(vtep)) return false;
        return true;
      },
      { what: 'peers to drop host3', timeoutMs: ttlMs + 2000, intervalMs: 50 },
    );
    assert.ok(Date.now() - t0 <= ttlMs + 2000);
    sim.startAgent('host3');
    await sim.waitForPeers();
    assert.deepEqual(await sim.floodTargets('host1'), [sim.vtepOf('host2'), vtep].sort());
  });

  it('programs remote guests’ MACs from lease locations with --remote-macs', async () => {
    await sim.stopAgent('host1', 'SIGTERM');
    sim.startAgent('host1', ['--remote-macs']);
    await sim.waitForPeers();
    const vni = await sim.vniOf('sim');
    const remote = onSim().filter((g) => g.host !== 'host1');
    await waitFor(
      async () => {
        const out = await inNs(sim.hostNs('host1'), 'bridge', '-j', 'fdb', 'show', 'dev', `nsvx${vni}`);
        const entries = JSON.parse(out || '[]') as Array<{ mac: string; dst?: string; state?: string }>;
        return remote.every((g) =>
          entries.some((e) => e.mac === g.mac && e.dst === sim.vtepOf(g.host) && e.state === 'static'),
        );
      },
      { what: 'static entries for every remote guest', timeoutMs: 10_000 },
    );
    const a = guest('g1-1');
    for (const g of remote) assert.equal(await sim.ping(a, g.address, 2), true, `${a.name} -> ${g.name}`);
  });
});
