import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoredToken } from '@netspan/etcd-store';
import { ErrorCode, IpamError, invalid, isDnsLabel } from '@netspan/ipam';

/** What token handling needs from storage (EtcdTokenStore in production). */
export interface TokenStore {
  create(t: StoredToken): Promise<boolean>;
  get(id: string): Promise<StoredToken | undefined>;
  list(): Promise<StoredToken[]>;
  revoke(id: string): Promise<boolean>;
}

const ID_RE = /^[a-z0-9]{6,32}$/;
const MAX_TTL_SECONDS = 366 * 24 * 3600;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Splits "<id>.<secret>"; undefined when it does not have that shape. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!ID_RE.test(id) || secret.length < 16 || secret.length > 128) return undefined;
  return { id, secret };
}

export interface CreatedToken {
  stored: StoredToken;
  /** "<id>.<secret>": shown once, never stored. */
  token: string;
}

/**
 * Join tokens for agents: `<id>.<secret>`, the secret stored only as its SHA-256 and
 * compared in constant time. A token may be bound to one host id, and may expire.
 */
export class JoinTokens {
  constructor(
    private readonly store: TokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(opts: { ttlSeconds?: number; hostId?: string; description?: string }): Promise<CreatedToken> {
    const ttl = opts.ttlSeconds ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS)
      throw invalid('ttl_seconds', `${ttl} is outside 0..${MAX_TTL_SECONDS} (0 = never expires)`);
    const hostId = opts.hostId ?? '';
    if (hostId && !isDnsLabel(hostId))
      throw invalid('host_id', `${JSON.stringify(hostId)} is not a DNS label`);
    const description = opts.description ?? '';
    if (description.length > 256) throw invalid('description', 'is longer than 256 characters');
    for (;;) {
      const id = randomBytes(6).toString('hex');
      const secret = randomBytes(24).toString('base64url');
      const created = this.now();
      const stored: StoredToken = {
        id,
        secretHash: hashSecret(secret),
        hostId,
        expiresAtMs: ttl ? created + ttl * 1000 : 0,
        description,
        createdAtMs: created,
      };
      if (await this.store.create(stored)) return { stored, token: `${id}.${secret}` };
    }
  }

  /**
   * Makes sure a token given on the command line (`--bootstrap-token`) exists, so a
   * fresh deployment's agents can join without an operator step. Never expires; revoke it
   * once real tokens are handed out.
   */
  async ensure(token: string, description = 'bootstrap token (--bootstrap-token)'): Promise<void> {
    const parsed = parseToken(token);
    if (!parsed)
      throw invalid('bootstrap_token', 'must look like <id>.<secret>: id 6-32 [a-z0-9], secret 16-128 chars');
    const existing = await this.store.get(parsed.id);
    if (existing) {
      if (existing.secretHash !== hashSecret(parsed.secret))
        throw invalid('bootstrap_token', `token id ${parsed.id} exists with another secret`);
      return;
    }
    await this.store.create({
      id: parsed.id,
      secretHash: hashSecret(parsed.secret),
      hostId: '',
      expiresAtMs: 0,
      description,
      createdAtMs: this.now(),
    });
  }

  /**
   * Checks a presented token for `hostId`. UNAUTHENTICATED: missing, malformed, unknown,
   * wrong secret, expired. PERMISSION_DENIED: bound to another host.
   */
  async verify(token: string, hostId: string): Promise<StoredToken> {
    if (!token)
      throw new IpamError(ErrorCode.Unauthenticated, 'a join token is required (netspanctl token create)');
    const parsed = parseToken(token);
    if (!parsed)
      throw new IpamError(ErrorCode.Unauthenticated, 'join token is malformed (expected <id>.<secret>)');
    const stored = await this.store.get(parsed.id);
    const a = Buffer.from(hashSecret(parsed.secret), 'hex');
    const b = Buffer.from(stored?.secretHash ?? '', 'hex');
    if (!stored || a.length !== b.length || !timingSafeEqual(a, b))
      throw new IpamError(ErrorCode.Unauthenticated, `join token ${parsed.id} is unknown or revoked`);
    if (stored.expiresAtMs && stored.expiresAtMs <= this.now())
      throw new IpamError(ErrorCode.Unauthenticated, `join token ${parsed.id} expired`);
    if (stored.hostId && stored.hostId !== hostId)
      throw new IpamError(
        ErrorCode.PermissionDenied,
        `join token ${parsed.id} is for host ${stored.hostId}, not ${hostId}`,
      );
    return stored;
  }

  list(): Promise<StoredToken[]> {
    return this.store.list();
  }

  async revoke(id: string): Promise<void> {
    if (!id) throw invalid('id', 'is required');
    if (!(await this.store.revoke(id))) throw new IpamError(ErrorCode.NotFound, `token ${id} not found`);
  }
}
