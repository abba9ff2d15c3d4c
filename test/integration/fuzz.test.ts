import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fuzzDhcp, fuzzDns, fuzzValidators } from '../fuzz/fuzz.js';

// The CI share of `npm run bench:fuzz` (1,000,000 cases per target there).
it('survives 25,000 mutated DHCP packets through decode, the server and encode', async () => {
  const r = await fuzzDhcp(25_000);
  assert.deepEqual(r.crashes, []);
  assert.ok(r.accepted > 100 && r.rejected > 100, `accepted ${r.accepted}, rejected ${r.rejected}`);
  assert.ok(r.slowestMs < 1000, `slowest case ${r.slowestMs} ms`);
  assert.ok(r.heapMB < 512, `heap ${r.heapMB} MB`);
});

it('survives 25,000 mutated gRPC requests through the handlers', async () => {
  const r = await fuzzValidators(25_000);
  assert.deepEqual(r.crashes, []);
  assert.ok(r.accepted > 100 && r.rejected > 100, `accepted ${r.accepted}, rejected ${r.rejected}`);
  assert.ok(r.slowestMs < 1000, `slowest case ${r.slowestMs} ms`);
});

it('survives 25,000 mutated DNS queries through the parser, the zone index and the encoder', async () => {
  const r = await fuzzDns(25_000);
  assert.deepEqual(r.crashes, []);
  assert.ok(r.accepted > 100 && r.rejected > 100, `accepted ${r.accepted}, rejected ${r.rejected}`);
  assert.ok(r.slowestMs < 1000, `slowest case ${r.slowestMs} ms`);
});
