#!/usr/bin/env node
/**
 * npm run sim -- [--hosts N] [--guests-per-host M] [--json] [--migrate GUEST:HOST]
 *                [--kill-agent HOST] [--remote-macs]
 * npm run sim -- down
 */
import { parseArgs } from 'node:util';
import { downAll, Sim } from './sim.js';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      hosts: { type: 'string', default: '3' },
      'guests-per-host': { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      migrate: { type: 'string', multiple: true },
      'kill-agent': { type: 'string', multiple: true },
      'remote-macs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(
      'npm run sim -- [--hosts N] [--guests-per-host M] [--json] [--migrate GUEST:HOST] [--kill-agent HOST] [--remote-macs]\nnpm run sim -- down\n',
    );
    return 0;
  }
  if (positionals[0] === 'down') {
    const removed = await downAll();
    process.stdout.write(removed.length ? `removed ${removed.join(', ')}\n` : 'nothing to remove\n');
    return 0;
  }
  const hosts = Number(values.hosts);
  const perHost = Number(values['guests-per-host']);
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 50) throw new Error('--hosts: 1..50');
  if (!Number.isInteger(perHost) || perHost < 0 || perHost > 20) throw new Error('--guests-per-host: 0..20');
  const say = (l: string) => {
    if (!values.json) process.stderr.write(`${l}\n`);
  };
  const sim = await Sim.up({
    hosts,
    guestsPerHost: perHost,
    remoteMacs: values['remote-macs'],
    progress: say,
  });
  const scenarios: Array<Record<string, unknown>> = [];
  for (const spec of values['kill-agent'] ?? []) {
    const t0 = Date.now();
    await sim.stopAgent(spec, 'SIGKILL');
    const others = sim.hosts.filter((h) => h !== spec && sim.agentPids.has(h));
    const vtep = sim.vtepOf(spec);
    for (const h of others) {
      while (!(await sim.floodTargets(h)).every((t) => t !== vtep))
        await new Promise((r) => setTimeout(r, 50));
    }
    scenarios.push({ killAgent: spec, peersConvergedMs: Date.now() - t0 });
    say(`killed the agent on ${spec}: peers dropped its flood entries in ${Date.now() - t0} ms`);
  }
  for (const spec of values.migrate ?? []) {
    const [name, host] = spec.split(':');
    const g = sim.guests.find((x) => x.name === name);
    if (!g || !host || !sim.hosts.includes(host)) throw new Error(`--migrate ${spec}: unknown guest or host`);
    const before = g.address;
    const ms = await sim.migrate(g, host);
    scenarios.push({ migrate: name, to: host, before, after: g.address, ms });
    say(`migrated ${name} to ${host}: ${before} -> ${g.address} in ${ms} ms`);
  }
  const ping = await sim.pingMatrix();
  const guests = sim.guests.map((g) => ({
    name: g.name,
    host: g.host,
    mac: g.mac,
    address: g.address,
    hostname: g.hostname,
    network: g.network,
  }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ prefix: sim.prefix, guests, ping, scenarios }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `${table([['GUEST', 'HOST', 'MAC', 'ADDRESS', 'HOSTNAME', 'NETWORK'], ...guests.map((g) => [g.name, g.host, g.mac, g.address, g.hostname, g.network])])}\n\n`,
    );
    const names = sim.guests.map((g) => g.name);
    const ok = new Map(ping.map((p) => [`${p.from}>${p.to}`, p.ok]));
    const rows = [
      ['from \\ to', ...names],
      ...names.map((a) => [a, ...names.map((b) => (a === b ? '-' : ok.get(`${a}>${b}`) ? 'ok' : 'FAIL'))]),
    ];
    process.stdout.write(`${table(rows)}\n\n`);
    process.stdout.write(
      `sim ${sim.prefix} is running (ipamd ${sim.grpc}; logs in ${sim.dir}).\n` +
        `Try: ip netns exec ${sim.guests[0]?.ns ?? `${sim.prefix}g-...`} busybox ping ${sim.guests[1]?.address ?? ''}\n` +
        'Remove it with: npm run sim -- down\n',
    );
  }
  // Leave everything running for people to explore; our own gRPC channel must not hold us.
  sim.api.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
