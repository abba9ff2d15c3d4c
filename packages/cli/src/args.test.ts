import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkArgs,
  checkRequiredFlags,
  collectFlags,
  parseChoice,
  parsePool,
  parseRange,
  parseRoute,
  parseSeconds,
  parseUint,
  tokenize,
} from './args.js';
import { allowedFlags, everyFlag, findCommand, GROUPS } from './commands/index.js';
import { UsageError } from './errors.js';
import type { CommandSpec } from './spec.js';
import { GLOBAL_FLAGS } from './spec.js';

function command(group: string, verb: string): CommandSpec {
  const c = findCommand(group, verb);
  assert.ok(c, `${group} ${verb}`);
  return c;
}

/** Parses a line the way run() does, up to the action's input. */
function parse(argv: string[]) {
  const line = tokenize(argv, everyFlag());
  const [group = '', verb = '', ...args] = line.words;
  const c = command(group, verb);
  const allowed = allowedFlags(c);
  const flags = collectFlags(line.flags, allowed, c);
  checkArgs(args, c);
  checkRequiredFlags(flags, allowed, c);
  return { command: c, args, flags };
}

function usageError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && message.test(e.message));
}

describe('command line parsing', () => {
  it('finds the command words wherever the global flags sit', () => {
    for (const argv of [
      ['network', 'create', 'blue', '--cidr', '10.0.0.0/24', '-o', 'json'],
      ['-o', 'json', 'network', 'create', 'blue', '--cidr', '10.0.0.0/24'],
      ['--output=json', 'network', '--server', 'h:1', 'create', '--cidr', '10.0.0.0/24', 'blue'],
      ['-ojson', 'network', 'create', '--cidr=10.0.0.0/24', 'blue'],
    ]) {
      const p = parse(argv);
      assert.equal(p.command.verb, 'create', argv.join(' '));
      assert.deepEqual(p.args, ['blue']);
      assert.equal(p.flags.get('cidr'), '10.0.0.0/24');
      assert.equal(p.flags.get('output'), 'json');
    }
  });

  it('collects repeated flags in order and keeps the last value of a single flag', () => {
    const p = parse([
      'network',
      'create',
      'blue',
      '--cidr',
      '10.0.0.0/24',
      '--dns',
      '10.0.0.1',
      '--pool',
      '10.0.0.10-10.0.0.50,web',
      '--dns',
      '9.9.9.9',
      '--gateway',
      '10.0.0.1',
      '--gateway',
      '10.0.0.254',
    ]);
    assert.deepEqual(p.flags.get('dns'), ['10.0.0.1', '9.9.9.9']);
    assert.deepEqual(p.flags.get('pool'), ['10.0.0.10-10.0.0.50,web']);
    assert.equal(p.flags.get('gateway'), '10.0.0.254');
  });

  it('takes booleans without values and -h as --help', () => {
    const p = parse(['network', 'delete', 'blue', '--force']);
    assert.equal(p.flags.get('force'), true);
    const line = tokenize(['lease', '-h'], everyFlag());
    assert.equal(line.flags[0]?.name, 'help');
  });

  it('keeps everything after -- as arguments', () => {
    const line = tokenize(['lease', 'get', 'blue', '--', '--weird'], everyFlag());
    assert.deepEqual(line.words, ['lease', 'get', 'blue', '--weird']);
  });

  it('rejects unknown flags, naming the command', () => {
    usageError(() => parse(['network', 'list', '--bogus']), /unknown flag --bogus for "network list"/);
    // a flag of another command is unknown here
    usageError(() => parse(['network', 'list', '--cidr', '10.0.0.0/8']), /unknown flag --cidr/);
    usageError(() => parse(['network', 'create', 'b', '--cidr', '10.0.0.0/24', '-x']), /unknown flag -x/);
  });

  it('rejects missing values, values on booleans and forgotten values', () => {
    usageError(() => parse(['network', 'create', 'blue', '--cidr']), /--cidr needs a value/);
    usageError(() => parse(['network', 'delete', 'blue', '--force=yes']), /--force takes no value/);
    usageError(
      () => parse(['network', 'create', 'blue', '--cidr', '--gateway', '10.0.0.1']),
      /--cidr needs a value \(got --gateway/,
    );
    // an inline value may start with "--"
    const p = parse(['network', 'create', 'blue', '--cidr', '10.0.0.0/24', '--description=--x']);
    assert.equal(p.flags.get('description'), '--x');
  });

  it('checks arguments before required flags', () => {
    usageError(() => parse(['network', 'create']), /missing argument NAME/);
    usageError(() => parse(['network', 'create', 'blue']), /missing required flag --cidr/);
    usageError(() => parse(['network', 'get', 'a', 'b']), /unexpected argument "b"/);
    usageError(() => parse(['reservation', 'add', 'blue', '--mac', '52:54:00:00:00:01']), /--address/);
    assert.deepEqual(parse(['network', 'usage']).args, []);
    assert.deepEqual(parse(['lease', 'get', 'blue', '10.0.0.5']).args, ['blue', '10.0.0.5']);
  });

  it('gives each flag name one type across commands (tokenizing relies on it)', () => {
    const seen = new Map<string, string>();
    for (const g of GROUPS) {
      for (const c of g.commands) {
        for (const [name, spec] of Object.entries({ ...GLOBAL_FLAGS, ...c.flags })) {
          const type = `${spec.type}/${spec.short ?? ''}`;
          assert.equal(seen.get(name) ?? type, type, `--${name} in ${c.group} ${c.verb}`);
          seen.set(name, type);
        }
        assert.ok(c.examples.length > 0, `${c.group} ${c.verb} has examples`);
        for (const name of Object.keys(c.flags))
          assert.ok(!(name in GLOBAL_FLAGS), `--${name} shadows a global`);
      }
    }
  });
});

describe('flag values', () => {
  it('parses pools as START-END[,NAME]', () => {
    assert.deepEqual(parsePool('10.0.0.10-10.0.0.50,web'), {
      name: 'web',
      start: '10.0.0.10',
      end: '10.0.0.50',
    });
    assert.deepEqual(parsePool('10.0.0.10-10.0.0.50'), { name: '', start: '10.0.0.10', end: '10.0.0.50' });
    assert.deepEqual(parsePool(' 10.0.0.10 - 10.0.0.50 , web '), {
      name: 'web',
      start: '10.0.0.10',
      end: '10.0.0.50',
    });
    for (const bad of [
      '10.0.0.10',
      '10.0.0.10-',
      '-10.0.0.50',
      '1-2-3',
      '10.0.0.1-10.0.0.2,',
      '1-2,a,b',
      '',
    ]) {
      usageError(() => parsePool(bad), /--pool: .* is not START-END\[,NAME\]/);
    }
  });

  it('parses exclusions as START[-END]', () => {
    assert.deepEqual(parseRange('exclude', '10.0.0.20'), { start: '10.0.0.20', end: '10.0.0.20' });
    assert.deepEqual(parseRange('exclude', '10.0.0.20-10.0.0.29'), { start: '10.0.0.20', end: '10.0.0.29' });
    for (const bad of ['', '1-', '-1', '1-2-3']) usageError(() => parseRange('exclude', bad), /--exclude/);
  });

  it('parses routes as DST_CIDR=GW', () => {
    assert.deepEqual(parseRoute('10.20.0.0/16=10.0.0.1'), {
      destination: '10.20.0.0/16',
      gateway: '10.0.0.1',
    });
    for (const bad of ['10.20.0.0/16', '10.20.0.0/16=', '=10.0.0.1', '10.20.0.0=10.0.0.1', 'a/1=b=c']) {
      usageError(() => parseRoute(bad), /--route: .* is not DST_CIDR=GW/);
    }
  });

  it('parses whole numbers, seconds and choices', () => {
    assert.equal(parseUint('mtu', '1450'), 1450);
    assert.equal(parseUint('vni', '0'), 0);
    usageError(() => parseUint('mtu', '-1'), /--mtu: "-1" is not a whole number/);
    usageError(() => parseUint('mtu', '1.5'), /not a whole number/);
    usageError(() => parseUint('mtu', 'abc'), /not a whole number/);
    usageError(() => parseUint('vni', '4294967296'), /outside 0\.\.4294967295/);
    usageError(() => parseUint('limit', '0', { min: 1, max: 1000 }), /--limit: 0 is outside 1\.\.1000/);
    assert.equal(parseSeconds('timeout', '2.5'), 2.5);
    usageError(() => parseSeconds('timeout', '0'), /--timeout/);
    usageError(() => parseSeconds('timeout', 'soon'), /--timeout/);
    assert.equal(parseChoice('mode', 'NAT', { nat: 'FORWARD_MODE_NAT' }), 'FORWARD_MODE_NAT');
    usageError(
      () => parseChoice('mode', 'bridge', { nat: 1, route: 2 }),
      /--mode: "bridge" is not one of nat, route/,
    );
    usageError(() => parseChoice('mode', 'toString', { nat: 1 }), /is not one of/);
  });
});
