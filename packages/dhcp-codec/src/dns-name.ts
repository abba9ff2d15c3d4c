/**
 * DNS names in wire form (RFC 1035 §3.1) for option 81 (RFC 4702, never compressed) and option 119
 * (RFC 3397, compressed). Names are exchanged as presentation text: labels joined by '.', with '.' and
 * '\' inside a label escaped as `\.` and `\\`, and bytes outside printable ASCII as `\DDD` — so any
 * label the wire can carry round-trips exactly.
 */
import { DecodeErrorCode, DhcpDecodeError } from './errors.js';

/** Longest name in wire form, root label included (RFC 1035 §2.3.4). */
export const MAX_NAME_WIRE = 255;
const MAX_LABEL = 63;
/** More pointer hops than a 255-byte name could ever need: a cheap second guard against loops. */
const MAX_HOPS = 128;

/** Where a name being decoded sits: for error offsets and messages. */
export interface NameContext {
  /** Packet offset of the first data byte (approximate when RFC 3396 concatenated the data). */
  offset: number;
  option: number;
}

function badName(ctx: NameContext, at: number, problem: string): DhcpDecodeError {
  return new DhcpDecodeError(
    DecodeErrorCode.BadName,
    `option ${ctx.option}: ${problem} at byte ${at} of its data`,
    ctx.offset + at,
    { option: ctx.option },
  );
}

/** Presentation text of one label. */
function labelText(data: Uint8Array, start: number, length: number): string {
  let out = '';
  for (let i = start; i < start + length; i++) {
    const b = data[i] as number;
    if (b === 0x2e || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x21 || b > 0x7e) out += `\\${String(b).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

export interface ParsedName {
  labels: Buffer[];
  /** Ends with the root label (the text ended with an unescaped '.'). */
  absolute: boolean;
}

/** Parses presentation text into wire labels; returns a problem description when it cannot. */
export function parseName(text: unknown): ParsedName | string {
  if (typeof text !== 'string') return 'not a string';
  if (text === '') return { labels: [], absolute: false };
  if (text === '.') return { labels: [], absolute: true };
  const labels: Buffer[] = [];
  let label: number[] = [];
  let absolute = false;
  let wire = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x2e) {
      if (label.length === 0) return 'empty label';
      labels.push(Buffer.from(label));
      wire += 1 + label.length;
      label = [];
      if (i === text.length - 1) absolute = true;
      continue;
    }
    let byte = ch;
    if (ch === 0x5c) {
      const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (digits) {
        byte = Number(digits[0]);
        if (byte > 255) return `escape \\${digits[0]} is above 255`;
        i += 3;
      } else {
        if (i + 1 >= text.length) return 'dangling backslash';
        byte = text.charCodeAt(++i);
      }
    }
    if (byte > 0xff) return 'character outside Latin-1 (encode IDNs as punycode)';
    label.push(byte);
    if (label.length > MAX_LABEL) return `label longer than ${MAX_LABEL} bytes`;
  }
  if (label.length > 0) {
    labels.push(Buffer.from(label));
    wire += 1 + label.length;
  }
  if (wire > MAX_NAME_WIRE) return `name longer than ${MAX_NAME_WIRE} bytes in wire form`;
  return { labels, absolute };
}

/**
 * Decodes option 81's name (RFC 4702 §2.3.1): labels without compression; a name that ends with the
 * root label is fully qualified and comes back with a trailing '.', a partial name without it.
 */
export function decodeFqdnWireName(data: Uint8Array, ctx: NameContext): string {
  const labels: string[] = [];
  let wire = 1;
  let cur = 0;
  while (cur < data.length) {
    const len = data[cur] as number;
    if (len === 0) {
      if (cur !== data.length - 1) throw badName(ctx, cur + 1, 'bytes after the root label');
      return labels.length === 0 ? '.' : `${labels.join('.')}.`;
    }
    if ((len & 0xc0) === 0xc0) throw badName(ctx, cur, 'compression pointer (not allowed in option 81)');
    if ((len & 0xc0) !== 0) throw badName(ctx, cur, `reserved label type 0x${len.toString(16)}`);
    if (cur + 1 + len > data.length) throw badName(ctx, cur, 'label runs past the end');
    wire += 1 + len;
    if (wire > MAX_NAME_WIRE) throw badName(ctx, cur, `name longer than ${MAX_NAME_WIRE} bytes`);
    labels.push(labelText(data, cur + 1, len));
    cur += 1 + len;
  }
  return labels.join('.');
}

/** Encodes option 81's name: a trailing '.' adds the root label (fully qualified), '' is no name. */
export function encodeFqdnWireName(name: ParsedName): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.labels) parts.push(Buffer.from([label.length]), label);
  if (name.absolute) parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * Decodes a sequence of compressed, fully qualified names (RFC 3397 option 119). Names come back
 * without a trailing dot; the root name as '.'. A pointer must lead strictly before the place where
 * the current run of labels began, which rules out loops however they are built.
 */
export function decodeNameList(data: Uint8Array, ctx: NameContext): string[] {
  const names: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    const labels: string[] = [];
    let wire = 1;
    let cur = pos;
    let runStart = pos;
    let next = -1;
    let hops = 0;
    for (;;) {
      if (cur >= data.length) throw badName(ctx, cur, 'name runs past the end');
      const len = data[cur] as number;
      if (len === 0) {
        if (next < 0) next = cur + 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (cur + 1 >= data.length) throw badName(ctx, cur, 'compression pointer runs past the end');
        const target = ((len & 0x3f) << 8) | (data[cur + 1] as number);
        if (target >= runStart)
          throw badName(ctx, cur, `compression pointer to ${target} does not point back`);
        if (++hops > MAX_HOPS) throw badName(ctx, cur, 'too many compression pointers');
        if (next < 0) next = cur + 2;
        cur = target;
        runStart = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw badName(ctx, cur, `reserved label type 0x${len.toString(16)}`);
      if (cur + 1 + len > data.length) throw badName(ctx, cur, 'label runs past the end');
      wire += 1 + len;
      if (wire > MAX_NAME_WIRE) throw badName(ctx, cur, `name longer than ${MAX_NAME_WIRE} bytes`);
      labels.push(labelText(data, cur + 1, len));
      cur += 1 + len;
    }
    names.push(labels.length === 0 ? '.' : labels.join('.'));
    pos = next;
  }
  return names;
}

/**
 * Encodes fully qualified names one after another, each suffix already written replaced by a pointer
 * (RFC 1035 §4.1.4; offsets count from the start of the option data, RFC 3397 §2).
 */
export function encodeNameList(names: ParsedName[]): Buffer {
  const parts: Buffer[] = [];
  const suffixAt = new Map<string, number>();
  let pos = 0;
  for (const name of names) {
    const keys: string[] = [];
    let key = '';
    for (let i = name.labels.length - 1; i >= 0; i--) {
      const label = name.labels[i] as Buffer;
      key = `${String.fromCharCode(label.length)}${label.toString('latin1')}${key}`;
      keys[i] = key;
    }
    let pointer: number | undefined;
    let i = 0;
    for (; i < name.labels.length; i++) {
      pointer = suffixAt.get(keys[i] as string);
      if (pointer !== undefined) break;
    }
    for (let j = 0; j < i; j++) {
      const label = name.labels[j] as Buffer;
      if (pos < 0x4000) suffixAt.set(keys[j] as string, pos);
      parts.push(Buffer.from([label.length]), label);
      pos += 1 + label.length;
    }
    if (pointer !== undefined) {
      parts.push(Buffer.from([0xc0 | (pointer >> 8), pointer & 0xff]));
      pos += 2;
    } else {
      parts.push(Buffer.from([0]));
      pos += 1;
    }
  }
  return Buffer.concat(parts);
}
