/**
 * npm run chaos [-- --clients 5000 --seconds 60]
 *
 * Three ipamd replicas, one etcd (fsync on), DHCP clients doing DORA, renewals and releases
 * while a replica is SIGKILLed every few seconds and etcd is stopped for 5 s once. Prints the
 * checker's figures; the last line is `chaos acks: <n> kills: <n> duplicates: <n> lost: <n>`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runChaos } from '@netspan/test/chaos';
import { repoRoot } from '@netspan/test/harness';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '60' },
    'kill-every': { type: 'string', default: '4' },
  },
});
const seconds = Number(values.seconds);
const report = await runChaos({
  clients: Number(values.clients),
  durationMs: seconds * 1000,
  killEveryMs: Number(values['kill-every']) * 1000,
  etcdStopAtMs: (seconds * 1000) / 2,
  etcdStopForMs: 5000,
  concurrency: 64,
  progress: (l) => process.stderr.write(`${l}\n`),
});
const out = path.join(repoRoot, 'bench/results/chaos-latest.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2)}\n`);
console.log(`requests sent (each to 3 replicas): ${report.requests}`);
console.log(`ACKs: ${report.acks}, NAKs: ${report.naks}, releases: ${report.releases}`);
console.log(`replica kills: ${report.kills}`);
console.log(
  `etcd down 5 s: gRPC failed in ${report.grpcFailFastMs} ms with ${report.grpcStatusWhileEtcdDown}; ACKs while down: ${report.acksWhileEtcdDown}; first ACK ${report.recoveryMs} ms after etcd returned`,
);
for (const d of report.duplicates.slice(0, 10)) console.log(`DUPLICATE ${d}`);
for (const l of report.lost.slice(0, 10)) console.log(`LOST ${l}`);
for (const x of report.orphans.slice(0, 10)) console.log(`ORPHAN ${x}`);
console.log(`results: ${out}`);
console.log(
  `chaos acks: ${report.acks} kills: ${report.kills} duplicates: ${report.duplicates.length} lost: ${report.lost.length}`,
);
process.exit(report.duplicates.length + report.lost.length + report.orphans.length === 0 ? 0 : 1);
