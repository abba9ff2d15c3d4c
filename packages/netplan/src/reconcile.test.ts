import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetplanError } from './errors.js';
import { reconcile } from './reconcile.js';
import { actualOf, fixtureRunner, loadFixture } from './test-fixtures.js';

const convergedFx = loadFixture('converged');
const emptyFx = loadFixture('empty');
const READS = ['ip -j -d link show', 'ip -j addr show', 'bridge -j fdb show', 'nft -j list tables bridge'];

describe('reconcile', () => {
  it('on a converged host only reads', async () => {
    const runner = fixtureRunner(convergedFx);
    const r = await reconcile(convergedFx.desired, runner);
    assert.deepEqual(
      { ...r, actual: undefined },
      { steps: [], driftRepaired: 0, problems: [], actual: undefined },
    );
    // What it read is handed back (the agent reports it without reading again).
    assert.deepEqual(r.actual, actualOf(convergedFx));
    assert.deepEqual(
      runner.calls.map((c) => c.argv.join(' ')).sort(),
      [...READS, 'nft list table bridge netspan'].sort(),
    );
  });

  it('applies every step in order, passing the nft transaction on stdin, then reads back to verify', async () => {
    const runner = fixtureRunner(emptyFx);
    const logged: string[] = [];
    const log = {
      info: (_: object, msg: string) => logged.push(msg),
      warn: (_: object, msg: string) => logged.push(msg),
    };
    const r = await reconcile(convergedFx.desired, runner, { log });
    const applied = runner.calls.slice(READS.length, READS.length + r.steps.length);
    assert.deepEqual(
      applied.map((c) => c.argv),
      r.steps.map((s) => s.argv),
    );
    assert.match(applied[0]?.input ?? '', /^table bridge netspan\n/);
    assert.equal(logged.filter((m) => m === 'netplan step').length, r.steps.length);
    // The fake host never changes, so the read-back finds every step still missing.
    assert.equal(r.problems.length, r.steps.length);
    assert.ok(r.problems.every((p) => p.startsWith('not converged: ')));
    assert.equal(r.driftRepaired, 0, 'building from nothing repairs nothing');
  });

  it('reports a failed step with its exit code and goes on with the rest', async () => {
    const base = fixtureRunner(emptyFx);
    let applied = 0;
    const runner = {
      async run(argv: string[], input?: string) {
        if (argv[0] === 'ip' && argv[1] === 'link' && argv[2] === 'add' && argv[4] === 'nsbr100') {
          return { stdout: '', stderr: 'RTNETLINK answers: Operation not permitted\n', code: 2 };
        }
        if (!argv.includes('-j') && argv[1] !== 'list') applied++;
        return base.run(argv, input);
      },
    };
    const r = await reconcile(convergedFx.desired, runner);
    const failed = r.problems.filter((p) => !p.startsWith('not converged: '));
    assert.equal(failed.length, 1);
    assert.match(
      failed[0] ?? '',
      /^ip link add name nsbr100 .*exit 2: RTNETLINK answers: Operation not permitted$/,
    );
    assert.equal(applied, r.steps.length - 1, 'every other step still ran');
  });

  it('stops between steps when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    await assert.rejects(
      reconcile(convergedFx.desired, fixtureRunner(emptyFx), { signal: controller.signal }),
      (e: unknown) => e instanceof NetplanError && e.code === 'ABORTED',
    );
  });

  it('with the previous converged state, applies a peer change without reading the host', async () => {
    const runner = fixtureRunner(convergedFx);
    const lab = convergedFx.desired.networks[0];
    assert.ok(lab);
    const next = {
      ...convergedFx.desired,
      networks: [{ ...lab, peers: [...lab.peers, '10.99.0.9'] }, ...convergedFx.desired.networks.slice(1)],
    };
    const r = await reconcile(next, runner, { previous: convergedFx.desired });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      runner.calls.map((c) => c.argv.join(' ')),
      [`bridge fdb append 00:00:00:00:00:00 dev nsvx${lab.vni} dst 10.99.0.9`],
    );
  });

  it('falls back to a full pass when a peer change fails', async () => {
    const base = fixtureRunner(convergedFx);
    const runner = {
      calls: base.calls,
      async run(argv: string[], input?: string) {
        if (argv.join(' ').startsWith('bridge fdb del')) {
          base.calls.push({ argv });
          return { stdout: '', stderr: 'RTNETLINK answers: No such file or directory\n', code: 255 };
        }
        return base.run(argv, input);
      },
    };
    const lab = convergedFx.desired.networks[0];
    assert.ok(lab);
    const next = {
      ...convergedFx.desired,
      networks: [{ ...lab, peers: lab.peers.slice(1) }, ...convergedFx.desired.networks.slice(1)],
    };
    const r = await reconcile(next, runner, { previous: convergedFx.desired });
    const ran = runner.calls.map((c) => c.argv.join(' '));
    assert.ok(ran[0]?.startsWith('bridge fdb del'));
    for (const read of READS) assert.ok(ran.includes(read), `full pass reads ${read}`);
    assert.ok(r.steps.length >= 2, 'the failed quick step and the full pass steps');
  });

  it('rejects an invalid desired state before running anything', async () => {
    const runner = fixtureRunner(emptyFx);
    await assert.rejects(
      reconcile({ ...convergedFx.desired, localVtep: 'nope' }, runner),
      (e: unknown) => e instanceof NetplanError && e.code === 'INVALID_ARGUMENT',
    );
    assert.ok(runner.calls.every((c) => READS.includes(c.argv.join(' '))));
  });
});
