/**
 * bench/dhcp/hot-path: a fixed, bounded run of the DHCP hot path in one process, for A/B of
 * code changes by instruction count (wall clock on a shared 2-core machine is too noisy):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p \
 *     node --single-threaded bench/dist/dhcp/hot-path.js --exchanges 3000
 *
 * ipamd's `DhcpUdpListener` → `DhcpServer` → `DhcpLeases` → `IpamEngine` (batching included)
 * answer DORA exchanges from a relay socket on loopback, exactly as under perfdhcp, except
 * that the store is in memory and decides claims at once: etcd's cost is measured by the
 * real benchmark and bench/alloc. The relay side builds requests from byte templates and
 * reads replies by offset, so codec changes do not change the driver's own cost.
 * For a count of the steady state only, start callgrind with `--instr-atstart=no` and
 * `--warmup N --gate FILE`: after N exchanges (JIT warm-up) it prints `hot-path: warm` and
 * waits for FILE to exist; switch instrumentation on (`callgrind_control -i on PID`), create
 * FILE, and the count covers the measured exchanges (and shutdown) alone.
 */
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DhcpServer } from '@netspan/dhcp-server';
import {
  type ClaimOutcome,
  type ClaimRequest,
  DhcpLeases,
  IpamEngine,
  type LeaseUpdate,
  MemoryStore,
  type StoredLease,
} from '@netspan/ipam';
import { ClientRateLimiter, DhcpUdpListener } from '@netspan/ipamd';
import { createLogger } from '@netspan/log';

const { values } = parseArgs({
  options: {
    exchanges: { type: 'string', default: '2000' },
    window: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '0' },
    gate: { type: 'string', default: '' },
    // Claims take this long, as etcd's fsync'd transactions do: shows how the engine groups them.
    'store-latency-ms': { type: 'string', default: '0' },
    // Open loop, as perfdhcp -r: new exchanges per second (0: closed loop, `window` at a time).
    rate: { type: 'string', default: '0' },
    // Give up when no ACK came for this long (a lost datagram stalls the closed loop; under
    // callgrind everything is ~50x slower, hence the generous default).
    'stall-seconds': { type: 'string', default: '120' },
  },
});
const exchanges = Number(values.exchanges);
const window = Number(values.window);
const warmup = Number(values.warmup);
const gate = String(values.gate);
const storeLatencyMs = Number(values['store-latency-ms']);
const rate = Number(values.rate);
const stallMs = Number(values['stall-seconds']) * 1000;

/** MemoryStore with claims and renewals decided without copies: etcd stands here. */
class QuickStore extends MemoryStore {
  private rev = 1_000_000;
  calls = 0;
  claims = 0;
  override async claim(requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
    this.calls++;
    this.claims += requests.length;
    if (storeLatencyMs > 0) await new Promise((r) => setTimeout(r, storeLatencyMs));
    return requests.map((r) => ({ kind: 'claimed', lease: { ...r.lease, revision: ++this.rev } }));
  }
  override async updateLeases(updates: LeaseUpdate[]): Promise<Array<StoredLease | 'conflict'>> {
    return updates.map((u) => ({ ...u.lease, revision: ++this.rev }));
  }
}

// perfdhcp-like requests: BOOTREQUEST, htype 1, hlen 6, giaddr 127.0.0.1, options 53 (+54, 50).
function request(type: 1 | 3, n: number, yiaddr?: Buffer): Buffer {
  const b = Buffer.alloc(300);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  b[3] = 1;
  b.writeUInt32BE(n + 1, 4);
  b.set([127, 0, 0, 1], 24);
  b.set([0x02, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0x01], 28);
  b.writeUInt32BE(0x63825363, 236);
  let i = 240;
  b.set([53, 1, type], i);
  i += 3;
  if (type === 3 && yiaddr) {
    b.set([54, 4, 127, 0, 0, 1, 50, 4, ...yiaddr], i);
    i += 12;
  }
  b.set([55, 4, 1, 3, 6, 15], i);
  i += 6;
  b[i] = 255;
  return b;
}

async function main(): Promise<void> {
  const log = createLogger({ name: 'hot-path', level: 'warn' });
  const store = new QuickStore();
  const engine = new IpamEngine(store);
  await engine.start();
  await engine.createNetwork({
    name: 'bench',
    cidr: '10.200.0.0/16',
    gateway: '10.200.0.1',
    pools: [{ name: '', start: '10.200.0.10', end: '10.200.255.250' }],
    relayAddresses: ['127.0.0.1'],
  });
  const server = new DhcpServer(new DhcpLeases(engine));
  // With ipamd's default per-client rate limit (--client-dhcp-rate 10).
  const listener = new DhcpUdpListener(server, engine, {
    listen: '127.0.0.1:0',
    log,
    clientLimiter: new ClientRateLimiter(10, 20),
  });
  const address = await listener.start();
  const port = Number(address.slice(address.lastIndexOf(':') + 1));

  const relay = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => relay.bind(0, '127.0.0.1', () => r()));
  const run = (total: number, label: string) =>
    new Promise<void>((done) => {
      let next = 0;
      let acks = 0;
      let inflight = 0;
      const started = process.hrtime.bigint();
      let lastAckAt = Date.now();
      const timeout = setInterval(() => {
        if (Date.now() - lastAckAt < stallMs) return;
        console.error(`hot-path: no ACK for ${stallMs / 1000} s, giving up with ${acks}/${total} ACKs`);
        process.exit(1);
      }, 1000);
      const launch = () => {
        while (rate === 0 && inflight < window && next < total) {
          inflight++;
          relay.send(request(1, base + next++), port, '127.0.0.1');
        }
      };
      const ticker =
        rate > 0
          ? setInterval(() => {
              const due = Math.min(
                total,
                Math.ceil((rate * Number(process.hrtime.bigint() - started)) / 1e9),
              );
              while (next < due) {
                inflight++;
                relay.send(request(1, base + next++), port, '127.0.0.1');
              }
              if (next >= total) clearInterval(ticker);
            }, 1)
          : undefined;
      relay.removeAllListeners('message');
      relay.on('message', (msg) => {
        const n = msg.readUInt32BE(4) - 1;
        const type = msg[242]; // option 53 comes first in replies
        if (type === 2) {
          relay.send(request(3, n, msg.subarray(16, 20)), port, '127.0.0.1');
        } else if (type === 5) {
          acks++;
          lastAckAt = Date.now();
          inflight--;
          if (acks < total) launch();
          else {
            clearInterval(timeout);
            clearInterval(ticker);
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            console.log(
              `hot-path: ${label} ${acks} DORA in ${ms.toFixed(0)} ms (${((1000 * acks) / ms).toFixed(0)}/s)`,
            );
            base += total;
            done();
          }
        } else {
          console.error(`hot-path: unexpected reply type ${type}`);
          process.exit(1);
        }
      });
      launch();
    });
  let base = 0;
  if (warmup > 0) await run(warmup, 'warm-up');
  if (gate) {
    console.log('hot-path: warm');
    const until = Date.now() + 600_000;
    while (!existsSync(gate)) {
      if (Date.now() > until) throw new Error(`hot-path: ${gate} did not appear within 10 minutes`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const calls0 = store.calls;
  const claims0 = store.claims;
  await run(exchanges, 'measured');
  const calls = store.calls - calls0;
  console.log(
    `hot-path: ${store.claims - claims0} claims in ${calls} store calls (${((store.claims - claims0) / calls).toFixed(1)} per call)`,
  );
  relay.close();
  await listener.stop();
  await engine.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
