// Original file: proto/netspan/v1/dns.proto

export const RecordType = {
  RECORD_TYPE_UNSPECIFIED: 'RECORD_TYPE_UNSPECIFIED',
  RECORD_TYPE_A: 'RECORD_TYPE_A',
  RECORD_TYPE_AAAA: 'RECORD_TYPE_AAAA',
  RECORD_TYPE_CNAME: 'RECORD_TYPE_CNAME',
  RECORD_TYPE_SRV: 'RECORD_TYPE_SRV',
  RECORD_TYPE_TXT: 'RECORD_TYPE_TXT',
  RECORD_TYPE_MX: 'RECORD_TYPE_MX',
  RECORD_TYPE_PTR: 'RECORD_TYPE_PTR',
} as const;

export type RecordType__Input =
  | 'RECORD_TYPE_UNSPECIFIED'
  | 0
  | 'RECORD_TYPE_A'
  | 1
  | 'RECORD_TYPE_AAAA'
  | 28
  | 'RECORD_TYPE_CNAME'
  | 5
  | 'RECORD_TYPE_SRV'
  | 33
  | 'RECORD_TYPE_TXT'
  | 16
  | 'RECORD_TYPE_MX'
  | 15
  | 'RECORD_TYPE_PTR'
  | 12

export type RecordType = typeof RecordType[keyof typeof RecordType]
