import * as grpc from '@grpc/grpc-js';
import {
  leaseStateFromPb,
  leaseToPb,
  networkFromPb,
  networkToPb,
  type pb,
  reservationToPb,
  toServiceError,
  toStatus,
} from '@netspan/api';
import { ErrorCode, type IpamEngine, IpamError, invalid, type ViewEvent } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import { requestIdOf, withRequest } from './request-context.js';

/**
 * Tracks calls in flight so shutdown can wait for them; the one place every call passes
 * through, so it also reports each finished call to `observe` (metrics).
 */
export class InflightTracker {
  private count = 0;
  private waiters: Array<() => void> = [];
  /** Called for each finished call: `Service/Method` path, gRPC status name, seconds. */
  observe: ((method: string, code: string, seconds: number) => void) | undefined;
  enter(): void {
    this.count++;
  }
  leave(): void {
    this.count--;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  get size(): number {
    return this.count;
  }
  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

type Handler<Req, Res> = (req: Req, log: Logger) => Promise<Res> | Res;

/** gRPC status names by number, for metrics labels. */
const STATUS_NAMES = new Map<number, string>(
  Object.entries(grpc.status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/**
 * Wraps a domain call as a unary gRPC handler: request id, logging, error mapping, timing.
 * The call runs inside its request context, so every line logged on its behalf — here,
 * in the engine, in the store's hooks — carries `method` and `requestId` (the caller's
 * `x-request-id` metadata, or a new UUID).
 */
export function unary<Req, Res>(
  name: string,
  log: Logger,
  inflight: InflightTracker,
  fn: Handler<Req, Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    inflight.enter();
    const started = performance.now();
    // `Service/Method`; a call driven without a socket (the fuzzer's) has only the name.
    const method = typeof call.getPath === 'function' ? call.getPath().slice(1) : name;
    const done = (code: string) => {
      inflight.observe?.(method, code, (performance.now() - started) / 1000);
      inflight.leave();
    };
    withRequest({ method, requestId: requestIdOf(call.metadata) }, () =>
      Promise.resolve()
        .then(() => fn(call.request, log))
        .then(
          (res) => {
            if (log.isLevelEnabled('debug'))
              log.debug({ ms: +(performance.now() - started).toFixed(2) }, 'ok');
            callback(null, res);
            done('OK');
          },
          (err: unknown) => {
            const e = IpamError.from(err);
            if (e.code === ErrorCode.Internal) log.error({ err }, 'internal error');
            else log.info({ code: e.code, err: e.message }, 'refused');
            callback(toServiceError(e));
            done(STATUS_NAMES.get(toStatus(e.code)) ?? 'UNKNOWN');
          },
        ),
    );
  };
}

export function networkService(engine: IpamEngine, log: Logger, inflight: InflightTracker) {
  return {
    CreateNetwork: unary<pb.CreateNetworkRequest, pb.CreateNetworkResponse__Input>(
      'CreateNetwork',
      log,
      inflight,
      async (req) => {
        const stored = await engine.createNetwork(networkFromPb(req.network ?? undefined));
        return { network: networkToPb(stored) };
      },
    ),
    GetNetwork: unary<pb.GetNetworkRequest, pb.GetNetworkResponse__Input>(
      'GetNetwork',
      log,
      inflight,
      async (req) => ({
        network: networkToPb(await engine.getNetwork(req.name)),
      }),
    ),
    ListNetworks: unary<pb.ListNetworksRequest, pb.ListNetworksResponse__Input>(
      'ListNetworks',
      log,
      inflight,
      async () => ({
        networks: (await engine.listNetworks()).map(networkToPb),
      }),
    ),
    UpdateNetwork: unary<pb.UpdateNetworkRequest, pb.UpdateNetworkResponse__Input>(
      'UpdateNetwork',
      log,
      inflight,
      async (req) => {
        if (!req.network) throw invalid('network', 'is required');
        const stored = await engine.updateNetwork(
          networkFromPb(req.network),
          req.updateMask,
          Number(req.expectedRevision) || 0,
        );
        return { network: networkToPb(stored) };
      },
    ),
    DeleteNetwork: unary<pb.DeleteNetworkRequest, pb.DeleteNetworkResponse__Input>(
      'DeleteNetwork',
      log,
      inflight,
      async (req) => ({
        leasesDeleted: await engine.deleteNetwork(req.name, req.force),
      }),
    ),
    GetNetworkUsage: unary<pb.GetNetworkUsageRequest, pb.GetNetworkUsageResponse__Input>(
      'GetNetworkUsage',
      log,
      inflight,
      async (req) => ({ networks: await engine.usage(req.name || undefined) }),
    ),
  };
}

async function allocate(engine: IpamEngine, req: pb.AllocateRequest): Promise<pb.AllocateResponse__Input> {
  const res = await engine.allocate({
    network: req.network,
    clientId: req.clientId,
    address: req.address,
    pool: req.pool,
    mac: req.mac,
    hostname: req.hostname,
    ttlSeconds: req.ttlSeconds,
    location: { host: req.location?.host ?? '', via: req.location?.via || 'api' },
  });
  return { lease: leaseToPb(res.lease), created: res.created };
}

export function ipamService(engine: IpamEngine, log: Logger, inflight: InflightTracker) {
  return {
    Allocate: unary<pb.AllocateRequest, pb.AllocateResponse__Input>('Allocate', log, inflight, (req) =>
      allocate(engine, req),
    ),
    AllocateStream: (
      call: grpc.ServerDuplexStream<pb.AllocateStreamRequest, pb.AllocateStreamResponse__Input>,
    ) => {
      // Each message is one Allocate; failures are answered per message, the stream goes on.
      let open = 0;
      let ended = false;
      const maybeEnd = () => {
        if (ended && open === 0) call.end();
      };
      const method =
        typeof call.getPath === 'function'
          ? call.getPath().slice(1)
          : 'netspan.v1.IpamService/AllocateStream';
      const requestId = requestIdOf(call.metadata);
      call.on('data', (m: pb.AllocateStreamRequest) => {
        open++;
        inflight.enter();
        const started = performance.now();
        let code = 'OK';
        const id = m.id;
        withRequest({ method, requestId }, () =>
          Promise.resolve()
            .then(() => {
              if (!m.request) throw invalid('request', 'is required');
              return allocate(engine, m.request);
            })
            .then(
              (response) => {
                if (!call.cancelled) call.write({ id, response });
              },
              (err: unknown) => {
                const e = IpamError.from(err);
                code = STATUS_NAMES.get(toStatus(e.code)) ?? 'UNKNOWN';
                if (e.code === ErrorCode.Internal) log.error({ err, id }, 'internal error');
                if (!call.cancelled)
                  call.write({ id, error: { code: e.code, message: e.message, field: e.field ?? '' } });
              },
            )
            .finally(() => {
              open--;
              inflight.observe?.(method, code, (performance.now() - started) / 1000);
              inflight.leave();
              maybeEnd();
            }),
        );
      });
      call.on('end', () => {
        ended = true;
        maybeEnd();
      });
      call.on('error', () => {});
    },
    Release: unary<pb.ReleaseRequest, pb.ReleaseResponse__Input>('Release', log, inflight, async (req) => ({
      lease: leaseToPb(
        await engine.release({
          network: req.network,
          address: req.address,
          clientId: req.clientId,
          force: req.force,
        }),
      ),
    })),
    GetLease: unary<pb.GetLeaseRequest, pb.GetLeaseResponse__Input>(
      'GetLease',
      log,
      inflight,
      async (req) => ({
        lease: leaseToPb(
          await engine.getLease({ network: req.network, address: req.address, clientId: req.clientId }),
        ),
      }),
    ),
    ListLeases: unary<pb.ListLeasesRequest, pb.ListLeasesResponse__Input>(
      'ListLeases',
      log,
      inflight,
      (req) => {
        const state = leaseStateFromPb(req.state);
        const res = engine.listLeases({
          network: req.network,
          host: req.host,
          ...(state ? { state } : {}),
          pageSize: req.pageSize,
          pageToken: req.pageToken,
        });
        return { leases: res.leases.map(leaseToPb), nextPageToken: res.nextPageToken };
      },
    ),
    WatchLeases: (call: grpc.ServerWritableStream<pb.WatchLeasesRequest, pb.LeaseEvent__Input>) => {
      const req = call.request;
      const net = req.network;
      const write = (e: ViewEvent) => {
        if (e.type === 'reset') return;
        if (e.type === 'put') {
          if (net && e.lease.network !== net) return;
          call.write({ type: 'TYPE_PUT', lease: leaseToPb(e.lease), revision: e.lease.revision });
        } else {
          if (net && e.network !== net) return;
          call.write({
            type: 'TYPE_DELETE',
            lease: e.lease ? leaseToPb(e.lease) : { network: e.network, address: e.address },
            revision: e.revision,
          });
        }
      };
      if (net && !engine.views.get(net)) {
        // emit('error') sends the status; destroy() would drop the call without one.
        call.emit(
          'error',
          Object.assign(
            new Error(`network ${net} not found`),
            toServiceError(new IpamError(ErrorCode.NotFound, `network ${net} not found`)),
          ),
        );
        return;
      }
      if (req.initial) {
        for (const [name, view] of engine.views.networks) {
          if (net && name !== net) continue;
          for (const lease of view.leasesInOrder()) {
            call.write({ type: 'TYPE_PUT', lease: leaseToPb(lease), revision: lease.revision });
          }
        }
      }
      const off = engine.views.onChange(write);
      const end = () => off();
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
    },
    AddReservation: unary<pb.AddReservationRequest, pb.AddReservationResponse__Input>(
      'AddReservation',
      log,
      inflight,
      async (req) => {
        if (!req.reservation) throw invalid('reservation', 'is required');
        const r = req.reservation;
        const stored = await engine.addReservation({
          network: r.network,
          mac: r.mac,
          address: r.address,
          hostname: r.hostname,
          description: r.description,
        });
        return { reservation: reservationToPb(stored) };
      },
    ),
    ListReservations: unary<pb.ListReservationsRequest, pb.ListReservationsResponse__Input>(
      'ListReservations',
      log,
      inflight,
      async (req) => ({ reservations: (await engine.listReservations(req.network)).map(reservationToPb) }),
    ),
    RemoveReservation: unary<pb.RemoveReservationRequest, pb.RemoveReservationResponse__Input>(
      'RemoveReservation',
      log,
      inflight,
      async (req) => ({ reservation: reservationToPb(await engine.removeReservation(req.network, req.mac)) }),
    ),
  };
}
