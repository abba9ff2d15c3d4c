/** Pure text formatting for people: tables, key/value blocks, bars, durations. */

/** Shown for empty cells so columns stay readable and `awk` still sees a field. */
export const EMPTY = '-';

/**
 * Left-aligned columns separated by two spaces; the last column is not padded and
 * trailing spaces are trimmed. Empty cells print as "-".
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => (r[i] ?? '') || EMPTY));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] as string).length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `key: value` lines with the values aligned. A list value prints its first item on the
 * key's line and the others below it, indented; an empty value or list prints "-".
 */
export function formatKeyValues(pairs: readonly (readonly [string, string | readonly string[]])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  const lines: string[] = [];
  for (const [key, value] of pairs) {
    const items = typeof value === 'string' ? [value] : [...value];
    const [first = '', ...rest] = items;
    lines.push(`${`${key}:`.padEnd(width)} ${first || EMPTY}`.trimEnd());
    for (const item of rest) lines.push(`${' '.repeat(width)} ${item}`);
  }
  return lines.join('\n');
}

/**
 * A fixed-width utilisation bar, e.g. `[#######-----] 58%`. The bar is full and the percent
 * 100 only when nothing is left; any use at all shows at least one `#` and 1%.
 */
export function usageBar(fraction: number, width = 12): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  let filled = Math.round(f * width);
  if (f > 0 && filled === 0) filled = 1;
  if (f < 1 && filled === width) filled = width - 1;
  const percent = f >= 1 ? 100 : f > 0 ? Math.min(99, Math.max(1, Math.round(f * 100))) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}%`;
}

/** Seconds as the two largest units: 3600 → "1h", 5400 → "1h30m", 90 → "1m30s", 0 → "0s". */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [label, size] of units) {
    if (s >= size && parts.length < 2) {
      parts.push(`${Math.floor(s / size)}${label}`);
      s %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.join('');
}

/** A lease expiry relative to `now`: "never" (0), "in 59m", "expired 3m ago". */
export function formatExpiry(expiresAtMs: number, nowMs: number): string {
  if (!expiresAtMs) return 'never';
  const delta = (expiresAtMs - nowMs) / 1000;
  return delta > 0 ? `in ${formatDuration(delta)}` : `expired ${formatDuration(-delta)} ago`;
}

/** Unix ms as UTC ISO-8601 to the second; 0 = "-". */
export function formatTime(ms: number): string {
  return ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : EMPTY;
}

/** An enum value as a word: `FORWARD_MODE_NAT` → "nat"; UNSPECIFIED → "-". */
export function enumLabel(value: string | number | undefined | null, prefix: string): string {
  if (value === undefined || value === null) return EMPTY;
  const text = String(value);
  const word = text.startsWith(prefix) ? text.slice(prefix.length) : text;
  return word === 'UNSPECIFIED' || word === '0' ? EMPTY : word.toLowerCase();
}

/** A ratio as a whole percentage: 0.583 → "58%". */
export function formatPercent(fraction: number): string {
  return `${Number.isFinite(fraction) ? Math.round(fraction * 100) : 0}%`;
}
