/**
 * npm run bench:fuzz [-- --cases 1000000]
 *
 * Seeded mutation fuzzing of the DHCP path, the DNS query path and the gRPC handlers (see
 * test/fuzz/fuzz.ts). Exits non-zero on any crash; prints cases, rejects, slowest case and
 * peak heap per target.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type FuzzReport, fuzzDhcp, fuzzDns, fuzzValidators } from '@netspan/test/fuzz';
import { repoRoot } from '@netspan/test/harness';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000000' } } });
const cases = Number(values.cases);
const reports: FuzzReport[] = [];
for (const run of [fuzzDhcp, fuzzDns, fuzzValidators]) {
  const r = await run(cases);
  reports.push(r);
  console.log(
    `${r.target}: ${r.cases} cases in ${r.seconds.toFixed(1)} s (accepted ${r.accepted}, rejected ${r.rejected}), ` +
      `crashes ${r.crashes.length}, slowest ${r.slowestMs.toFixed(2)} ms, peak heap ${r.heapMB.toFixed(0)} MB`,
  );
  for (const c of r.crashes.slice(0, 5)) console.log(`  CRASH ${c}`);
}
const out = path.join(repoRoot, 'bench/results/fuzz-latest.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), reports }, null, 2)}\n`);
const crashes = reports.reduce((n, r) => n + r.crashes.length, 0);
console.log(`fuzz cases: ${reports.reduce((n, r) => n + r.cases, 0)} crashes: ${crashes}`);
process.exit(crashes === 0 ? 0 : 1);
