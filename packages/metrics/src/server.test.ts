import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Counter } from 'prom-client';
import { counterFrom, type MetricsServer, newRegistry, startMetricsServer } from './server.js';

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      })
      .on('error', reject);
  });
}

describe('metrics server (real HTTP on loopback)', () => {
  let ready = false;
  let server: MetricsServer;
  const registry = newRegistry({ replica: 'r1' });
  const stats = { things: 0, others: 0 };
  const feed = counterFrom();
  new Counter({
    name: 'test_things_total',
    help: 'things done',
    registers: [registry],
    collect() {
      feed(this, stats.things);
    },
  });
  // The same feeder for a second counter with the same labels: each keeps its own count.
  new Counter({
    name: 'test_others_total',
    help: 'other things',
    registers: [registry],
    collect() {
      feed(this, stats.others);
    },
  });

  before(async () => {
    server = await startMetricsServer({ listen: '127.0.0.1:0', registry, ready: () => ready });
  });
  after(() => server.close());

  it('serves the registry in the Prometheus text format, with default labels and process metrics', async () => {
    stats.things = 3;
    const r = await get(`http://${server.address}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /# HELP test_things_total things done/);
    assert.match(r.body, /^test_things_total\{replica="r1"\} 3$/m);
    assert.match(r.body, /^process_cpu_seconds_total\{replica="r1"\} /m);
  });

  it('counterFrom adds only what grew since the last scrape', async () => {
    stats.things = 10;
    stats.others = 2;
    await get(`http://${server.address}/metrics`);
    const r = await get(`http://${server.address}/metrics`);
    assert.match(r.body, /^test_things_total\{replica="r1"\} 10$/m);
    assert.match(
      r.body,
      /^test_others_total\{replica="r1"\} 2$/m,
      'a smaller count on another counter still shows',
    );
  });

  it('answers /healthz always and /readyz from the readiness callback', async () => {
    assert.equal((await get(`http://${server.address}/healthz`)).status, 200);
    ready = false;
    assert.equal((await get(`http://${server.address}/readyz`)).status, 503);
    ready = true;
    assert.equal((await get(`http://${server.address}/readyz`)).status, 200);
    assert.equal((await get(`http://${server.address}/nope`)).status, 404);
  });
});
