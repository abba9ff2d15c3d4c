import type { ICompare, IKeyValue, IRequestOp, IResponseOp } from 'etcd3';
import { prefixEnd } from './keys.js';

/** Compare and request builders for etcd transactions, shared by the store and the audit. */

export const b = (s: string) => Buffer.from(s);

export const createIs0 = (key: string): ICompare => ({
  key: b(key),
  target: 'Create',
  result: 'Equal',
  create_revision: 0,
});
export const exists = (key: string): ICompare => ({
  key: b(key),
  target: 'Create',
  result: 'Greater',
  create_revision: 0,
});
export const modIs = (key: string, rev: number): ICompare => ({
  key: b(key),
  target: 'Mod',
  result: 'Equal',
  mod_revision: rev,
});
export const valueIs = (key: string, value: string): ICompare => ({
  key: b(key),
  target: 'Value',
  result: 'Equal',
  value: b(value),
});
/** True when no key exists in [prefix, prefixEnd). */
export const noneUnder = (prefix: string): ICompare => ({
  key: b(prefix),
  range_end: prefixEnd(prefix),
  target: 'Version',
  result: 'Equal',
  version: 0,
});
export const put = (key: string, value: string): IRequestOp => ({
  request_put: { key: b(key), value: b(value) },
});
export const get = (key: string): IRequestOp => ({ request_range: { key: b(key) } });
export const del = (key: string): IRequestOp => ({ request_delete_range: { key: b(key) } });
export const delPrefix = (prefix: string): IRequestOp => ({
  request_delete_range: { key: b(prefix), range_end: prefixEnd(prefix) },
});

export function firstKv(r: IResponseOp | undefined): IKeyValue | undefined {
  return r?.response_range?.kvs?.[0];
}
