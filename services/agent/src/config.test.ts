import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, FLAGS, loadConfig, resolveVtep } from './config.js';

const ifaces = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [{ address: '192.0.2.7', family: 'IPv4', internal: false }],
} as unknown as Parameters<typeof resolveVtep>[1];

describe('agent config', () => {
  it('takes the VTEP from an address or an interface, or the only candidate', () => {
    assert.deepEqual(resolveVtep('192.0.2.7', ifaces), { address: '192.0.2.7', iface: 'eth0' });
    assert.deepEqual(resolveVtep('198.51.100.1', ifaces), { address: '198.51.100.1', iface: '' });
    assert.deepEqual(resolveVtep('eth0', ifaces), { address: '192.0.2.7', iface: 'eth0' });
    assert.deepEqual(resolveVtep('', ifaces), { address: '192.0.2.7', iface: 'eth0' });
    assert.throws(() => resolveVtep('eth9', ifaces), /eth9 has no IPv4/);
  });

  it('reads flags over environment, and refuses what cannot work', () => {
    const base = ['--vtep', '192.0.2.7', '--host-id', 'node-1'];
    const cfg = loadConfig(
      [...base, '--join-token', 't.x', '--ipamd', 'a:1,b:2', '--networks', 'blue,red', '--remote-macs'],
      {
        NETSPAN_JOIN_TOKEN: 'ignored',
        NETSPAN_UNDERLAY_MTU: '9000',
      },
    );
    assert.notEqual(cfg, 'help');
    if (cfg === 'help') return;
    assert.equal(cfg.joinToken, 't.x');
    assert.deepEqual(cfg.ipamdEndpoints, ['a:1', 'b:2']);
    assert.deepEqual(cfg.networks, ['blue', 'red']);
    assert.equal(cfg.underlayMtu, 9000);
    assert.equal(cfg.remoteMacs, true);
    assert.throws(
      () => loadConfig(base, {}),
      (e: unknown) => e instanceof ConfigError && /join token is required/.test(e.message),
    );
    assert.throws(() => loadConfig([...base, '--join-token', 'x', '--ipamd', 'nope'], {}), /--ipamd: nope/);
    assert.throws(
      () => loadConfig(['--vtep', '192.0.2.7', '--host-id', 'Bad_Name', '--join-token', 'x'], {}),
      /--host-id/,
    );
    assert.throws(() => loadConfig([...base, '--join-token', 'x', '--bogus'], {}), ConfigError);
    assert.equal(loadConfig(['--help'], {}), 'help');
  });

  it('documents every flag with an environment variable', () => {
    for (const [name, f] of Object.entries(FLAGS)) {
      assert.match(f.env, /^NETSPAN_[A-Z_]+$/, name);
      assert.ok(f.help.length > 10, name);
    }
  });
});
