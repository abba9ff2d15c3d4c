import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import {
  type EtcdHandle,
  etcdHealthy,
  freePorts,
  httpGet,
  httpPostJson,
  isPortFree,
  startEtcd,
  waitFor,
} from '../harness/index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString();

async function put(etcd: EtcdHandle, key: string, value: string): Promise<void> {
  const res = await httpPostJson(`${etcd.clientUrl}/v3/kv/put`, { key: b64(key), value: b64(value) });
  assert.equal(res.status, 200, res.body);
}

async function get(etcd: EtcdHandle, key: string): Promise<string | undefined> {
  const res = await httpPostJson(`${etcd.clientUrl}/v3/kv/range`, { key: b64(key) });
  assert.equal(res.status, 200, res.body);
  const kvs = (res.json as { kvs?: { key: string; value?: string }[] }).kvs ?? [];
  const kv = kvs[0];
  if (kv === undefined) return undefined;
  assert.equal(unb64(kv.key), key);
  return unb64(kv.value ?? '');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

describe('harness: ports', () => {
  test('freePorts returns distinct bindable ports', async () => {
    const ports = await freePorts(5);
    assert.equal(new Set(ports).size, 5);
    for (const p of ports) {
      assert.ok(p > 0 && p < 65536);
      assert.ok(await isPortFree(p), `port ${p} should be free`);
    }
  });
});

describe('harness: waitFor', () => {
  test('resolves once the condition holds', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { timeoutMs: 2000, intervalMs: 5, what: 'three polls' });
    assert.equal(n, 3);
  });

  test('times out with a message naming what it waited for and the last error', async () => {
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 100, intervalMs: 10, what: 'the impossible' },
      ),
      /timed out after 100 ms waiting for the impossible \(last error: boom\)/,
    );
  });
});

describe('harness: etcd', () => {
  const started: EtcdHandle[] = [];
  after(async () => {
    for (const h of started) await h.stop().catch(() => {});
  });

  test('starts a healthy etcd on loopback, survives kill+restart with its data, and stop removes the temp dir', async () => {
    const etcd = await startEtcd();
    started.push(etcd);

    assert.match(etcd.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(etcd.endpoints, [etcd.clientUrl]);
    assert.notEqual(etcd.clientPort, etcd.peerPort);
    assert.ok(etcd.dataDir.includes('netspan-etcd-'), etcd.dataDir);
    assert.ok(alive(etcd.pid));

    const health = await httpGet(`${etcd.clientUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { health: string }).health, 'true');

    await put(etcd, '/netspan/test/k1', 'value-1');
    assert.equal(await get(etcd, '/netspan/test/k1'), 'value-1');
    assert.equal(await get(etcd, '/netspan/test/missing'), undefined);

    // SIGKILL: the process is gone, the data dir stays.
    const firstPid = etcd.pid;
    await etcd.kill();
    assert.equal(alive(firstPid), false);
    assert.equal(await etcdHealthy(etcd.clientUrl), false);
    assert.ok(await exists(etcd.dataDir));

    // Restart on the same ports and data: the write is still there.
    await etcd.restart();
    assert.notEqual(etcd.pid, firstPid);
    assert.ok(await etcdHealthy(etcd.clientUrl));
    assert.equal(await get(etcd, '/netspan/test/k1'), 'value-1');

    // Graceful stop removes the temp dir we created.
    const dir = etcd.dataDir;
    const lastPid = etcd.pid;
    await etcd.stop();
    assert.equal(alive(lastPid), false);
    assert.equal(await exists(dir), false);
  });

  test('pause stops answering, resume brings it back', async () => {
    const etcd = await startEtcd({ name: 'paused' });
    started.push(etcd);
    await put(etcd, 'p', '1');
    etcd.pause();
    assert.equal(await etcdHealthy(etcd.clientUrl), false);
    etcd.resume();
    await waitFor(() => etcdHealthy(etcd.clientUrl), { timeoutMs: 5000, what: 'etcd healthy after resume' });
    assert.equal(await get(etcd, 'p'), '1');
  });

  test('two instances run side by side on distinct ports', async () => {
    const [a, b] = await Promise.all([startEtcd(), startEtcd()]);
    started.push(a, b);
    assert.notEqual(a.clientPort, b.clientPort);
    await put(a, 'only-in-a', 'x');
    assert.equal(await get(b, 'only-in-a'), undefined);
    assert.equal(await get(a, 'only-in-a'), 'x');
  });

  test('a failing start reports etcd output', async () => {
    await assert.rejects(
      startEtcd({ extraArgs: ['--no-such-flag'] }),
      /etcd .*exited before becoming healthy[\s\S]*no-such-flag/,
    );
  });
});
