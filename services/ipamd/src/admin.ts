import type { pb } from '@netspan/api';
import type { StoredToken } from '@netspan/etcd-store';
import type { Logger } from '@netspan/log';
import type { AgentHub } from './agents.js';
import { type InflightTracker, unary } from './handlers.js';
import type { JoinTokens } from './tokens.js';

function tokenToPb(t: StoredToken, secret = ''): pb.JoinToken__Input {
  return {
    id: t.id,
    secret,
    hostId: t.hostId,
    expiresAtMs: t.expiresAtMs,
    description: t.description,
    createdAtMs: t.createdAtMs,
  };
}

/** AdminService: join tokens and the hosts registry. */
export function adminService(tokens: JoinTokens, agents: AgentHub, log: Logger, inflight: InflightTracker) {
  return {
    CreateToken: unary<pb.CreateTokenRequest, pb.CreateTokenResponse__Input>(
      'CreateToken',
      log,
      inflight,
      async (req) => {
        const created = await tokens.create({
          ttlSeconds: req.ttlSeconds,
          hostId: req.hostId,
          description: req.description,
        });
        log.info(
          { token: created.stored.id, host: created.stored.hostId || undefined },
          'join token created',
        );
        return { token: tokenToPb(created.stored, created.token) };
      },
    ),
    ListTokens: unary<pb.ListTokensRequest, pb.ListTokensResponse__Input>(
      'ListTokens',
      log,
      inflight,
      async () => ({ tokens: (await tokens.list()).map((t) => tokenToPb(t)) }),
    ),
    RevokeToken: unary<pb.RevokeTokenRequest, pb.RevokeTokenResponse__Input>(
      'RevokeToken',
      log,
      inflight,
      async (req) => {
        await tokens.revoke(req.id);
        log.info({ token: req.id }, 'join token revoked');
        return {};
      },
    ),
    ListHosts: unary<pb.ListHostsRequest, pb.ListHostsResponse__Input>('ListHosts', log, inflight, () => ({
      hosts: agents.hosts().map((h) => ({
        hostId: h.hostId,
        vtepAddress: h.vtepAddress,
        registeredAtMs: h.registeredAtMs,
        lastHeartbeatMs: h.lastHeartbeatMs,
        networks: h.networks,
        agentVersion: h.agentVersion,
        serverId: h.serverId,
      })),
    })),
  };
}
