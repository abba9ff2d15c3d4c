import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, it } from 'node:test';
import { readControl, UdpBatch } from './udp-batch.js';

/** A server socket as DhcpUdpListener makes it: opened through libc, watched by dgram. */
async function server(opts: {
  onDatagram: (msg: Buffer, address: string, port: number) => void;
  budget?: number;
}): Promise<{
  io: UdpBatch;
  socket: dgram.Socket;
  port: number;
  reads: { dgram: number; drained: number };
}> {
  const io = UdpBatch.open('127.0.0.1', 0, { recvBufferBytes: 1 << 20, sendBufferBytes: 1 << 20, batch: 16 });
  const socket = dgram.createSocket('udp4');
  const reads = { dgram: 0, drained: 0 };
  socket.on('message', (msg, rinfo) => {
    reads.dgram++;
    opts.onDatagram(msg, rinfo.address, rinfo.port);
    reads.drained += io.drain(opts.budget ?? 256, opts.onDatagram);
  });
  await new Promise<void>((r) => socket.bind({ fd: io.fd }, r));
  return { io, socket, port: socket.address().port, reads };
}

function client(): Promise<dgram.Socket> {
  // Room for 500 replies sent at once.
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  return new Promise((r) => s.bind(0, '127.0.0.1', () => r(s)));
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

let closers: Array<() => void> = [];
before(() => {
  closers = [];
});
after(() => {
  for (const c of closers) c();
});

it('reads a burst in batches, with each datagram whole and its source, and answers in batches', async () => {
  const got: Array<{ msg: Buffer; address: string; port: number }> = [];
  const srv = await server({ onDatagram: (msg, address, port) => got.push({ msg, address, port }) });
  const cli = await client();
  closers.push(
    () => srv.socket.close(),
    () => cli.close(),
  );
  // 500 datagrams of different sizes and contents, sent before the server's loop gets a turn.
  const N = 500;
  const sent: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const b = Buffer.alloc(240 + (i % 300), i & 255);
    b.writeUInt32BE(i, 0);
    sent.push(b);
    cli.send(b, srv.port, '127.0.0.1');
  }
  await until(() => got.length === N);
  // Most were read by recvmmsg, not one libuv callback each.
  assert.ok(
    srv.reads.drained > srv.reads.dgram,
    `drained ${srv.reads.drained}, via dgram ${srv.reads.dgram}`,
  );
  for (const g of got) {
    assert.equal(g.address, '127.0.0.1');
    assert.equal(g.port, cli.address().port);
    const i = g.msg.readUInt32BE(0);
    assert.deepEqual(g.msg, sent[i], `datagram ${i} arrived altered`);
  }
  assert.deepEqual(
    got.map((g) => g.msg.readUInt32BE(0)).sort((a, b) => a - b),
    [...Array(N).keys()],
  );
  // A datagram handed on is a copy: reading more does not change it.
  assert.equal(got[0]?.msg.readUInt32BE(0), 0);

  // Replies: more than one sendmmsg's worth (the batch is 16), each to its sender.
  const replies: Buffer[] = [];
  cli.on('message', (m) => replies.push(m));
  for (const g of got)
    assert.equal(srv.io.send(Buffer.concat([Buffer.from('re:'), g.msg]), g.port, g.address), true);
  await until(() => replies.length === N);
  for (const r of replies) {
    assert.equal(r.subarray(0, 3).toString(), 're:');
    const i = r.readUInt32BE(3);
    assert.deepEqual(r.subarray(3), sent[i]);
  }
  assert.equal(srv.io.stats.sendFailed, 0);
});

it('stops reading at its budget and leaves the rest to the next readiness', async () => {
  let n = 0;
  const srv = await server({ onDatagram: () => n++, budget: 5 });
  const cli = await client();
  closers.push(
    () => srv.socket.close(),
    () => cli.close(),
  );
  for (let i = 0; i < 100; i++) cli.send(Buffer.alloc(300, 1), srv.port, '127.0.0.1');
  await until(() => n === 100);
  // Each readiness read one through libuv and at most 5 more.
  assert.ok(srv.reads.dgram >= Math.ceil(100 / 6), `${srv.reads.dgram} readiness callbacks`);
});

it('drops and counts a datagram longer than a slot; refuses to queue an oversized reply', async () => {
  const got: number[] = [];
  const srv = await server({ onDatagram: (m) => got.push(m.length) });
  const cli = await client();
  closers.push(
    () => srv.socket.close(),
    () => cli.close(),
  );
  // The first goes through libuv (which reads up to 64 KiB), the second and third through recvmmsg.
  cli.send(Buffer.alloc(300), srv.port, '127.0.0.1');
  cli.send(Buffer.alloc(3000), srv.port, '127.0.0.1');
  cli.send(Buffer.alloc(400), srv.port, '127.0.0.1');
  await until(() => got.length + srv.io.stats.truncated === 3);
  assert.equal(srv.io.stats.truncated, 1);
  assert.deepEqual(got, [300, 400]);
  assert.equal(srv.io.send(Buffer.alloc(4000), cli.address().port, '127.0.0.1'), false);
});

it('refuses a port in use with a clear error', async () => {
  const other = await client();
  closers.push(() => other.close());
  assert.throws(
    () =>
      UdpBatch.open('127.0.0.1', other.address().port, {
        recvBufferBytes: 1 << 16,
        sendBufferBytes: 1 << 16,
      }),
    /in use/,
  );
  assert.throws(
    () => UdpBatch.open('::1', 0, { recvBufferBytes: 1 << 16, sendBufferBytes: 1 << 16 }),
    /IPv4/,
  );
});

it("pauses reading through dgram's handle: datagrams wait in the kernel, then one drain reads them all", async () => {
  const got: number[] = [];
  const srv = await server({ onDatagram: (msg) => got.push(msg.readUInt32BE(0)) });
  const cli = await client();
  closers.push(
    () => srv.socket.close(),
    () => cli.close(),
  );
  // This Node has the handle (--dhcp-coalesce-ms relies on it; without it ipamd does not pause).
  const ctl = readControl(srv.socket);
  assert.ok(ctl, 'node:dgram has no handle to pause: --dhcp-coalesce-ms would have no effect');
  ctl.recvStop();
  for (let i = 0; i < 50; i++) cli.send(Buffer.alloc(4), srv.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(got.length, 0, 'nothing is read while paused');
  assert.equal(srv.reads.dgram, 0);
  assert.equal(
    srv.io.drain(256, (msg) => got.push(msg.readUInt32BE(0))),
    50,
    'one drain reads what waited',
  );
  ctl.recvStart();
  cli.send(Buffer.from([0, 0, 0, 7]), srv.port, '127.0.0.1');
  await until(() => got.length === 51);
  assert.equal(srv.reads.dgram, 1, 'reading resumed: the next datagram wakes dgram again');
});

it('paced: a burst of replies leaves spread out, in order, none lost; close sends what waits', async () => {
  const srv = await server({ onDatagram: () => {} });
  const cli = await client();
  closers.push(
    () => srv.socket.close(),
    () => cli.close(),
  );
  // Nothing arrives, so the floor sets the pace: 2 per ms, bursts of at most 16.
  srv.io.pace({ factor: 1.3, minPerSecond: 2000 });
  const at: number[] = [];
  const order: number[] = [];
  cli.on('message', (m) => {
    at.push(performance.now());
    order.push(m.readUInt32BE(0));
  });
  const N = 200;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const b = Buffer.alloc(300);
    b.writeUInt32BE(i, 0);
    assert.equal(srv.io.send(b, cli.address().port, '127.0.0.1'), true);
  }
  await until(() => order.length === N);
  assert.deepEqual(order, [...Array(N).keys()], 'in the order sent');
  // Unpaced, all 200 leave in one turn. Paced at 2-3 per ms (faster while many wait), the last
  // leaves 60 ms or more after the first 16.
  const span = (at[N - 1] as number) - t0;
  assert.ok(span >= 40, `the burst left within ${span.toFixed(1)} ms`);
  let most = 0;
  for (let i = 0, j = 0; i < N; i++) {
    while ((at[i] as number) - (at[j] as number) > 10) j++;
    most = Math.max(most, i - j + 1);
  }
  assert.ok(most <= 60, `${most} replies arrived within 10 ms`);
  assert.equal(srv.io.stats.sendFailed, 0);

  // What still waits when the socket closes is sent, not dropped.
  order.length = 0;
  for (let i = 0; i < 100; i++) {
    const b = Buffer.alloc(300);
    b.writeUInt32BE(i, 0);
    srv.io.send(b, cli.address().port, '127.0.0.1');
  }
  srv.io.close();
  await until(() => order.length === 100);
  assert.deepEqual(order, [...Array(100).keys()]);
});

it('paced: the pace follows the rate datagrams arrive at, above its floor', async () => {
  const srv = await server({ onDatagram: () => {} });
  closers.push(() => srv.socket.close());
  assert.equal(srv.io.pacePerSecond, undefined, 'not paced until asked');
  srv.io.pace({ factor: 1.3, minPerSecond: 1000 });
  assert.equal(srv.io.pacePerSecond, 1000, 'nothing arrived yet: the floor');
  // 3,000 arrivals over a window of at least 50 ms: at most 60 per ms, so at most 78 per ms paced.
  for (let i = 0; i < 3000; i++) srv.io.arrived();
  await new Promise((r) => setTimeout(r, 60));
  const pace = srv.io.pacePerSecond as number;
  assert.ok(pace <= 1.3 * 3000 * (1000 / 50), `pace ${pace}/s is above 1.3 times any possible arrival rate`);
  assert.ok(pace > 1.3 * 3000, `pace ${pace}/s did not follow 3,000 arrivals in well under a second`);
});
