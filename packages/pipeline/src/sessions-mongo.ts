import type { SessionView } from '@proctor/domain';
import { ConflictError } from '@proctor/kernel';
import type { Collection, Db, Filter } from 'mongodb';
import type { SessionViewStore } from './projection.ts';

export interface SessionListFilter {
  orgId: string;
  status?: SessionView['status'];
  interviewerId?: string;
  candidateName?: string;
  /** Sessions created before this cursor (createdAt|_id), newest first. */
  after?: { createdAt: string; id: string };
  limit: number;
}

/** The `sessions` read model in MongoDB: what the report, the gateway and the web app read. */
export async function createSessionsRepository(db: Db) {
  const sessions: Collection<SessionView> = db.collection('sessions');
  await sessions.createIndex({ orgId: 1, createdAt: -1, _id: -1 }, { name: 'org_created' });
  await sessions.createIndex({ orgId: 1, status: 1 }, { name: 'org_status' });

  const store: SessionViewStore = {
    async load(ids) {
      // One lookup per id: FerretDB pushes an _id equality down to its storage, but scans for $in.
      const docs = await Promise.all(ids.map((_id) => sessions.findOne({ _id })));
      return new Map(docs.flatMap((doc) => (doc ? [[doc._id, doc] as const] : [])));
    },
    async save(views) {
      // One conditional replace per view: applies only if nobody moved the checkpoint since we loaded it.
      for (const { view, previousSeq } of views) {
        try {
          const result = await sessions.replaceOne({ _id: view._id, lastSeq: previousSeq }, view, {
            upsert: previousSeq === 0,
          });
          if (result.matchedCount === 0 && result.upsertedCount === 0)
            throw new ConflictError(`session ${view._id} moved past ${previousSeq}`);
        } catch (error) {
          if ((error as { code?: number }).code === 11000)
            throw new ConflictError(`session ${view._id} was created concurrently`);
          throw error;
        }
      }
    },
  };

  return {
    store,
    get: (id: string) => sessions.findOne({ _id: id }),
    async list(filter: SessionListFilter): Promise<SessionView[]> {
      const query: Filter<SessionView> = { orgId: filter.orgId };
      if (filter.status) query.status = filter.status;
      if (filter.interviewerId) query.interviewerId = filter.interviewerId;
      if (filter.candidateName) query.candidateName = filter.candidateName;
      if (filter.after) {
        query.$or = [
          { createdAt: { $lt: filter.after.createdAt } },
          { createdAt: filter.after.createdAt, _id: { $lt: filter.after.id } },
        ];
      }
      return sessions.find(query).sort({ createdAt: -1, _id: -1 }).limit(filter.limit).toArray();
    },
    countByOrg: (orgId: string) => sessions.countDocuments({ orgId }),
    async clear(): Promise<void> {
      await sessions.deleteMany({});
    },
  };
}

export type SessionsRepository = Awaited<ReturnType<typeof createSessionsRepository>>;
