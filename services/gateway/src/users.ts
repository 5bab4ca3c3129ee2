import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Principal, Role } from '@proctor/auth';
import { UnauthenticatedError, ValidationError } from '@proctor/kernel';
import type { Collection, Db } from 'mongodb';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

interface UserDoc {
  _id: string;
  role: Role;
  orgId: string;
  name: string;
  salt: string;
  hash: string;
}

interface ApiKeyDoc {
  _id: string;
  orgId: string;
  name: string;
  hash: string;
  createdAt: Date;
}

const STAFF_ROLES: Role[] = ['interviewer', 'analyst', 'admin'];

/** Staff accounts (scrypt-hashed passwords) and API keys of enterprise clients (only their hash is kept). */
export async function createUsers(db: Db) {
  const users: Collection<UserDoc> = db.collection('users');
  const apiKeys: Collection<ApiKeyDoc> = db.collection('api_keys');

  return {
    async add(email: string, password: string, role: Role, orgId: string, name = email): Promise<void> {
      if (!STAFF_ROLES.includes(role))
        throw new ValidationError(`role must be one of ${STAFF_ROLES.join(', ')}`);
      if (password.length < 8) throw new ValidationError('password must be at least 8 characters');
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt, 32);
      await users.updateOne(
        { _id: email.toLowerCase() },
        { $set: { role, orgId, name, salt: salt.toString('hex'), hash: hash.toString('hex') } },
        { upsert: true },
      );
    },

    async verify(email: string, password: string): Promise<Principal> {
      const user = await users.findOne({ _id: email.toLowerCase() });
      // Hash even for unknown users so the answer takes as long either way.
      const salt = user ? Buffer.from(user.salt, 'hex') : randomBytes(16);
      const hash = await scrypt(password, salt, 32);
      if (!user || !timingSafeEqual(hash, Buffer.from(user.hash, 'hex')))
        throw new UnauthenticatedError('Wrong email or password');
      return { subject: user._id, role: user.role, orgId: user.orgId, name: user.name };
    },

    /** A new API key for an organisation; the key is shown once, only its hash is stored. */
    async createApiKey(orgId: string, name: string): Promise<string> {
      const id = randomBytes(6).toString('hex');
      const secret = randomBytes(24).toString('base64url');
      const hash = await scrypt(secret, Buffer.from(id), 32);
      await apiKeys.insertOne({ _id: id, orgId, name, hash: hash.toString('hex'), createdAt: new Date() });
      return `pk_${id}_${secret}`;
    },

    /** Staff of an organisation, without their password hashes. */
    async members(orgId: string): Promise<{ email: string; name: string; role: Role }[]> {
      const docs = await users
        .find({ orgId }, { projection: { role: 1, name: 1 } })
        .sort({ _id: 1 })
        .toArray();
      return docs.map((d) => ({ email: d._id, name: d.name, role: d.role }));
    },

    /** An organisation's API keys, never the keys themselves. */
    async apiKeys(orgId: string): Promise<{ id: string; name: string; createdAt: string }[]> {
      const docs = await apiKeys
        .find({ orgId }, { projection: { name: 1, createdAt: 1 } })
        .sort({ createdAt: 1 })
        .toArray();
      return docs.map((d) => ({ id: d._id, name: d.name, createdAt: d.createdAt.toISOString() }));
    },

    async verifyApiKey(key: string): Promise<Principal> {
      const match = /^pk_([0-9a-f]{12})_([A-Za-z0-9_-]+)$/.exec(key);
      if (!match?.[1] || !match[2]) throw new UnauthenticatedError('Malformed API key');
      const doc = await apiKeys.findOne({ _id: match[1] });
      const hash = await scrypt(match[2], Buffer.from(match[1]), 32);
      if (!doc || !timingSafeEqual(hash, Buffer.from(doc.hash, 'hex')))
        throw new UnauthenticatedError('Unknown API key');
      return { subject: `api-key:${doc._id}`, role: 'api_client', orgId: doc.orgId, name: doc.name };
    },
  };
}

export type Users = Awaited<ReturnType<typeof createUsers>>;
