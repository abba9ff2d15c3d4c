import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { bashCompletion, zshCompletion } from './commands/completion.js';
import { GROUPS } from './commands/index.js';

/** Asks real bash what the generated function completes for `line` (cursor at the end). */
function complete(line: string): string[] {
  const words = line.split(' ');
  const script = `${bashCompletion(GROUPS)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_netspanctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .sort();
}

describe('shell completion (run by bash)', () => {
  it('completes groups, then verbs', () => {
    // Every group of the command table (it grows with each issue), and help.
    assert.deepEqual(complete('netspanctl '), [...GROUPS.map((g) => g.name), 'help'].sort());
    assert.ok(complete('netspanctl ').includes('audit'));
    assert.deepEqual(complete('netspanctl le'), ['lease']);
    assert.deepEqual(complete('netspanctl lease '), ['allocate', 'get', 'list', 'release', 'watch']);
    assert.deepEqual(complete('netspanctl lease w'), ['watch']);
  });

  it("completes a command's own flags and the global ones, skipping flag values", () => {
    const flags = complete('netspanctl lease watch --');
    assert.ok(flags.includes('--initial') && flags.includes('--network') && flags.includes('--server'));
    assert.ok(!flags.includes('--cidr'));
    assert.deepEqual(complete('netspanctl --server h:1 audit --f'), ['--fix']);
    assert.deepEqual(complete('netspanctl -o json network cr'), ['create']);
  });

  it('completes the values of flags with a fixed set, and shells for completion', () => {
    assert.deepEqual(complete('netspanctl network list -o '), ['json', 'table', 'wide', 'yaml']);
    assert.deepEqual(complete('netspanctl lease list --state b'), ['bound']);
    assert.deepEqual(complete('netspanctl network create x --mode '), ['isolated', 'nat', 'route']);
    assert.deepEqual(complete('netspanctl completion '), ['bash', 'zsh']);
    assert.deepEqual(complete('netspanctl lease list --network '), []);
  });

  it('zsh loads the same function through bashcompinit', () => {
    const z = zshCompletion(GROUPS);
    assert.match(z, /^#compdef netspanctl\n/);
    assert.match(z, /bashcompinit/);
    assert.match(z, /^complete -F _netspanctl netspanctl$/m);
    // The generated function is valid bash syntax.
    execFileSync('bash', ['-n', '-c', bashCompletion(GROUPS)]);
  });
});
