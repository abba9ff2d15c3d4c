import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  enumLabel,
  formatDuration,
  formatExpiry,
  formatKeyValues,
  formatPercent,
  formatTable,
  formatTime,
  usageBar,
} from './format.js';

describe('formatTable', () => {
  it('aligns columns, fills empty cells with "-" and trims line ends', () => {
    const text = formatTable(
      ['NAME', 'CIDR', 'NOTE'],
      [
        ['blue', '10.0.0.0/24', ''],
        ['a-much-longer-name', '10.100.0.0/16', 'x'],
      ],
    );
    assert.equal(
      text,
      [
        'NAME                CIDR           NOTE',
        'blue                10.0.0.0/24    -',
        'a-much-longer-name  10.100.0.0/16  x',
      ].join('\n'),
    );
  });

  it('prints only the header for no rows and tolerates short rows', () => {
    assert.equal(formatTable(['A', 'B'], []), 'A  B');
    assert.equal(formatTable(['A', 'B'], [['x']]), 'A  B\nx  -');
  });
});

describe('formatKeyValues', () => {
  it('aligns values and continues lists on indented lines', () => {
    const text = formatKeyValues([
      ['name', 'blue'],
      ['pools', ['web 10.0.0.10-10.0.0.50', '10.0.0.100-10.0.0.200']],
      ['description', ''],
      ['dns', []],
    ]);
    assert.equal(
      text,
      [
        'name:        blue',
        'pools:       web 10.0.0.10-10.0.0.50',
        '             10.0.0.100-10.0.0.200',
        'description: -',
        'dns:         -',
      ].join('\n'),
    );
  });
});

describe('usageBar', () => {
  it('draws 12 cells and a percentage', () => {
    assert.equal(usageBar(0.58), '[#######-----] 58%');
    assert.equal(usageBar(0), '[------------] 0%');
    assert.equal(usageBar(1), '[############] 100%');
    assert.equal(usageBar(0.5, 10), '[#####-----] 50%');
  });

  it('never shows full or empty when it is not', () => {
    assert.equal(usageBar(0.001), '[#-----------] 1%');
    assert.equal(usageBar(0.999), '[###########-] 99%');
  });

  it('clamps nonsense', () => {
    assert.equal(usageBar(1.7), '[############] 100%');
    assert.equal(usageBar(-1), '[------------] 0%');
    assert.equal(usageBar(Number.NaN), '[------------] 0%');
  });
});

describe('durations and times', () => {
  it('formats durations with the two largest units', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(45), '45s');
    assert.equal(formatDuration(90), '1m30s');
    assert.equal(formatDuration(3600), '1h');
    assert.equal(formatDuration(5400), '1h30m');
    assert.equal(formatDuration(3661), '1h1m');
    assert.equal(formatDuration(86_400 * 2 + 7200), '2d2h');
    assert.equal(formatDuration(31_536_000), '365d');
    assert.equal(formatDuration(86_400 + 30), '1d', 'a zero middle unit stops the list');
  });

  it('formats expiries relative to now', () => {
    const now = 1_700_000_000_000;
    assert.equal(formatExpiry(0, now), 'never');
    assert.equal(formatExpiry(now + 3_540_000, now), 'in 59m');
    assert.equal(formatExpiry(now - 180_000, now), 'expired 3m ago');
  });

  it('formats timestamps as UTC seconds', () => {
    assert.equal(formatTime(0), '-');
    assert.equal(formatTime(Date.UTC(2024, 4, 1, 10, 0, 0, 123)), '2024-05-01T10:00:00Z');
  });

  it('labels enums and percentages', () => {
    assert.equal(enumLabel('FORWARD_MODE_NAT', 'FORWARD_MODE_'), 'nat');
    assert.equal(enumLabel('FORWARD_MODE_UNSPECIFIED', 'FORWARD_MODE_'), '-');
    assert.equal(enumLabel(undefined, 'X_'), '-');
    assert.equal(formatPercent(0.583), '58%');
    assert.equal(formatPercent(Number.NaN), '0%');
  });
});
