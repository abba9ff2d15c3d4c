import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetplanError } from './errors.js';
import { execRunner } from './runner.js';

describe('execRunner', () => {
  const runner = execRunner();

  it('returns stdout and exit code 0', async () => {
    assert.deepEqual(await runner.run(['echo', 'hello']), { stdout: 'hello\n', stderr: '', code: 0 });
  });

  it('feeds input on stdin', async () => {
    assert.equal((await runner.run(['cat'], 'table bridge netspan\n')).stdout, 'table bridge netspan\n');
  });

  it('returns a non-zero exit as a result, not an exception', async () => {
    const r = await runner.run(['sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'oops\n');
  });

  it('throws UNAVAILABLE when the program does not exist', async () => {
    await assert.rejects(
      runner.run(['netplan-no-such-program']),
      (e: unknown) => e instanceof NetplanError && e.code === 'UNAVAILABLE',
    );
  });

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now();
    await assert.rejects(execRunner({ timeoutMs: 100 }).run(['sleep', '5']), /timed out after 100 ms/);
    assert.ok(Date.now() - started < 2000);
  });
});
