import type { pb } from '@netspan/api';
import { type ListedRecord, normalizeRecord, RECORD_TYPES, type RecordType, recordId } from '@netspan/dns';
import { ErrorCode, IpamError, invalid } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import type { IpamdDns } from './dns.js';
import { type InflightTracker, unary } from './handlers.js';

const PB_PREFIX = 'RECORD_TYPE_';

function typeFromPb(t: string | number | undefined, field: string): RecordType | undefined {
  if (t === undefined || t === 0 || t === 'RECORD_TYPE_UNSPECIFIED' || t === '') return undefined;
  const name = typeof t === 'string' ? t.replace(PB_PREFIX, '') : undefined;
  if (name && (RECORD_TYPES as readonly string[]).includes(name)) return name as RecordType;
  throw invalid(field, `${JSON.stringify(t)} is not one of ${RECORD_TYPES.join(', ')}`);
}

function recordToPb(r: ListedRecord): pb.Record__Input {
  return {
    id: r.id,
    zone: r.zone,
    name: r.name,
    type: `${PB_PREFIX}${r.type}` as pb.Record__Input['type'],
    ttl: r.ttl,
    data: r.data,
    revision: r.revision,
  };
}

async function zoneOf(dns: IpamdDns, raw: string | undefined, field: string): Promise<string> {
  const zone = (raw ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (!zone) throw invalid(field, 'is required');
  await dns.ready();
  if (!dns.index.hasZone(zone))
    throw new IpamError(ErrorCode.NotFound, `zone ${zone}: no network has this domain or reverse zone`);
  return zone;
}

/** DnsService: API-managed records, written to etcd, listed from the watch-fed index. */
export function dnsService(dns: IpamdDns, log: Logger, inflight: InflightTracker) {
  return {
    CreateRecord: unary<pb.CreateRecordRequest, pb.CreateRecordResponse__Input>(
      'CreateRecord',
      log,
      inflight,
      async (req) => {
        const input = req.record;
        const zone = await zoneOf(dns, input?.zone, 'record.zone');
        const type = typeFromPb(input?.type, 'record.type');
        if (!type) throw invalid('record.type', 'is required');
        const r = normalizeRecord({ zone, name: input?.name, type, ttl: input?.ttl, data: input?.data });
        const res = await dns.records.create({ ...r, id: recordId(r) });
        if (!res.ok) {
          if (res.reason === 'exists')
            throw new IpamError(
              ErrorCode.AlreadyExists,
              `${r.name} ${r.type} ${r.data} already exists in ${zone}`,
            );
          throw new IpamError(
            ErrorCode.FailedPrecondition,
            r.type === 'CNAME'
              ? `${r.name} already has other records in ${zone}; a CNAME must be alone at its name`
              : `${r.name} is a CNAME in ${zone}; no other records may sit beside it`,
          );
        }
        // Read-your-writes on this replica; the watch delivers the same record again.
        dns.applyOwn({ t: 'record', record: res.stored });
        return { record: recordToPb(res.stored) };
      },
    ),
    ListRecords: unary<pb.ListRecordsRequest, pb.ListRecordsResponse__Input>(
      'ListRecords',
      log,
      inflight,
      async (req) => {
        const zone = await zoneOf(dns, req.zone, 'zone');
        const type = typeFromPb(req.type, 'type');
        let name = (req.name ?? '').trim().toLowerCase();
        if (name.endsWith(`.${zone}.`)) name = name.slice(0, -(zone.length + 2));
        const records = dns.index.list(zone, {
          ...(name ? { name } : {}),
          ...(type ? { type } : {}),
          includeLeases: Boolean(req.includeLeases),
        });
        return { records: records.map(recordToPb) };
      },
    ),
    DeleteRecord: unary<pb.DeleteRecordRequest, pb.DeleteRecordResponse__Input>(
      'DeleteRecord',
      log,
      inflight,
      async (req) => {
        const zone = await zoneOf(dns, req.zone, 'zone');
        const id = (req.id ?? '').trim();
        if (!id) throw invalid('id', 'is required');
        if (id.startsWith('lease:'))
          throw new IpamError(
            ErrorCode.FailedPrecondition,
            `${id} is derived from a lease; release the lease or change its hostname instead`,
          );
        if (!/^[0-9a-f]{16}$/.test(id)) throw invalid('id', `${JSON.stringify(id)} is not a record id`);
        const removed = await dns.records.remove(zone, id);
        if (!removed) throw new IpamError(ErrorCode.NotFound, `no record ${id} in zone ${zone}`);
        dns.applyOwn({ t: 'record-deleted', zone, id, revision: removed.revision });
        return { record: recordToPb(removed) };
      },
    ),
  };
}
