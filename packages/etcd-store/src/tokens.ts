import type { Etcd3 } from 'etcd3';
import { etcdFailure } from './errors.js';
import type { Keys } from './keys.js';

/** A join token as stored under `tokens/<id>`: never the secret, only its SHA-256. */
export interface StoredToken {
  id: string;
  /** hex SHA-256 of the secret part */
  secretHash: string;
  /** when set, the token may only register this host */
  hostId: string;
  /** Unix ms; 0 = never */
  expiresAtMs: number;
  description: string;
  createdAtMs: number;
}

function decodeToken(value: Buffer): StoredToken | undefined {
  try {
    const v = JSON.parse(value.toString()) as StoredToken;
    return typeof v.id === 'string' && typeof v.secretHash === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Join tokens in etcd. Creating is create-if-absent; revoking deletes the key. */
export class EtcdTokenStore {
  constructor(
    private readonly client: Etcd3,
    private readonly keys: Keys,
  ) {}

  /** false when a token with that id exists already (ids are random: retry with another). */
  async create(t: StoredToken): Promise<boolean> {
    const key = this.keys.token(t.id);
    try {
      const res = await this.client
        .if(key, 'Create', '==', 0)
        .then(this.client.put(key).value(JSON.stringify(t)))
        .commit();
      return res.succeeded;
    } catch (err) {
      throw etcdFailure(err, 'create token');
    }
  }

  async get(id: string): Promise<StoredToken | undefined> {
    try {
      const v = await this.client.get(this.keys.token(id)).buffer();
      return v ? decodeToken(v) : undefined;
    } catch (err) {
      throw etcdFailure(err, 'read token');
    }
  }

  async list(): Promise<StoredToken[]> {
    try {
      const res = await this.client.getAll().prefix(this.keys.tokens()).buffers();
      return Object.values(res)
        .map(decodeToken)
        .filter((t): t is StoredToken => t !== undefined)
        .sort((a, b) => a.createdAtMs - b.createdAtMs);
    } catch (err) {
      throw etcdFailure(err, 'list tokens');
    }
  }

  /** true when the token existed. */
  async revoke(id: string): Promise<boolean> {
    try {
      const res = await this.client.delete().key(this.keys.token(id)).exec();
      return Number(res.deleted) > 0;
    } catch (err) {
      throw etcdFailure(err, 'revoke token');
    }
  }
}
