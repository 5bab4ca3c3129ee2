import { hostname } from 'node:os';
import { Module } from '@nestjs/common';
import { createDetectorPool } from '@proctor/detector/node';
import { type EventEnvelope, type PayloadInit, Source, systemEvent } from '@proctor/domain';
import { createLogger, healthModule, type Logger, startHttpService } from '@proctor/kernel';
import {
  connectNats,
  createEventPublisher,
  createEventStore,
  createKafka,
  createProducer,
  ensureTopics,
  topicsFor,
} from '@proctor/pipeline';
import { MongoClient } from 'mongodb';
import { createRoomClaims } from './claims.ts';
import { BROWSER_KINDS } from './disagreements.ts';
import type { VerifierConfig } from './environment.ts';
import { createRecordingStore, leftoverParts, recordingChanged, recordingKey } from './recordings.ts';
import { type RoomVerifier, startRoomVerifier } from './room-verifier.ts';
import { createRoomDirectory } from './rooms.ts';
import { createCapacityEstimate, planSampling, type SamplingPlan } from './sampling.ts';

@Module({})
class VerifierModule {}

/**
 * The verification service: finds live interview rooms (polling the media server, so a restart picks them up
 * again), watches each with a room verifier, and shares one detector pool fairly between them.
 */
export async function createVerifierApp(
  config: VerifierConfig,
  logger: Logger = createLogger('verifier', config.LOG_LEVEL),
) {
  const producerId = `verifier-${hostname()}-${process.pid}`;
  const pool = createDetectorPool({ size: config.VERIFIER_WORKERS });
  const capacity = createCapacityEstimate(pool.size);
  const mongo = await MongoClient.connect(config.MONGO_URL);
  const store = await createEventStore(mongo.db(config.EVENT_STORE_DB));
  const kafka = createKafka(config.KAFKA_BROKERS, 'verifier', logger);
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  await ensureTopics(kafka, topics);
  const producer = await createProducer(kafka);
  const nats = await connectNats(config.NATS_URL, 'verifier', logger);
  const publisher = createEventPublisher({ producer, topics, nats });
  const recordings = config.VERIFIER_RECORD
    ? createRecordingStore({
        endpoint: config.S3_ENDPOINT,
        region: config.S3_REGION,
        accessKey: config.S3_ACCESS_KEY,
        secretKey: config.S3_SECRET_KEY,
        bucket: config.RECORDINGS_BUCKET,
        ffprobePath: config.FFPROBE_PATH,
        logger,
      })
    : null;
  const directory = createRoomDirectory({
    url: config.LIVEKIT_URL,
    apiKey: config.LIVEKIT_API_KEY,
    apiSecret: config.LIVEKIT_API_SECRET,
    orgs: config.VERIFIER_ORGS,
  });
  const claims = await createRoomClaims(nats, {
    instanceId: producerId,
    leaseMs: config.VERIFIER_LEASE_MS,
    bucket: config.VERIFIER_CLAIMS_BUCKET,
  });

  async function emit(sessionId: string, orgId: string, payloads: PayloadInit[]): Promise<void> {
    const events = payloads.map((payload) =>
      systemEvent(sessionId, orgId, payload, { source: Source.VERIFIER, producerId }),
    );
    await publisher.publish(events);
  }
  const readReports = async (sessionId: string): Promise<EventEnvelope[]> =>
    (await store.readSession(sessionId, { kinds: [...BROWSER_KINDS, 'disagreement'] })).flatMap((s) =>
      s.event ? [s.event] : [],
    );

  const active = new Map<string, RoomVerifier>();
  const joining = new Set<string>();
  let plan: SamplingPlan = planSampling({
    configuredFps: config.VERIFIER_SAMPLE_FPS,
    rooms: 0,
    capacityFps: capacity.fps(),
  });
  const replan = () => {
    const next = planSampling({
      configuredFps: config.VERIFIER_SAMPLE_FPS,
      rooms: active.size,
      capacityFps: capacity.fps(),
    });
    if (next.reduced !== plan.reduced)
      logger[next.reduced ? 'warn' : 'info'](
        { rooms: active.size, perRoomFps: next.perRoomFps, capacityFps: next.capacityFps },
        next.reduced
          ? 'more rooms than the pool can sample at the configured rate: sampling less often'
          : 'sampling at the configured rate again',
      );
    plan = next;
  };

  async function join(room: { name: string; sessionId: string; orgId: string }) {
    joining.add(room.name);
    try {
      const verifier = await startRoomVerifier(
        {
          livekit: {
            url: config.LIVEKIT_URL,
            apiKey: config.LIVEKIT_API_KEY,
            apiSecret: config.LIVEKIT_API_SECRET,
          },
          producerId,
          pool,
          observeFrameMs: (ms) => capacity.observe(ms),
          plan: () => plan,
          sampling: {
            configuredFps: config.VERIFIER_SAMPLE_FPS,
            jitter: config.VERIFIER_SAMPLE_JITTER,
            objectsEvery: config.VERIFIER_OBJECTS_EVERY,
            graceMs: config.VERIFIER_GRACE_MS,
            silentMs: config.VERIFIER_SILENT_MS,
          },
          emit,
          readReports,
          recording: recordings
            ? { store: recordings, spoolDir: config.VERIFIER_SPOOL_DIR, ffmpegPath: config.FFMPEG_PATH }
            : null,
          logger,
        },
        room,
      );
      active.set(room.name, verifier);
      replan();
      // The connection ended (room closed, network): forget it; the next poll joins again if the room lives.
      void verifier.done.then(async () => {
        if (active.get(room.name) !== verifier) return;
        active.delete(room.name);
        await verifier.stop();
        replan();
      });
    } catch (error) {
      logger.warn({ err: error, room: room.name }, 'could not join room; will retry');
    } finally {
      joining.delete(room.name);
    }
  }

  let discovering = false;
  async function discover(): Promise<void> {
    if (discovering || closed) return;
    discovering = true;
    try {
      const listed = await directory.list();
      const mine = await claims.sync(listed.map((r) => r.name));
      for (const room of listed)
        if (mine.has(room.name) && !active.has(room.name) && !joining.has(room.name)) void join(room);
      const listedNames = new Set(listed.map((r) => r.name));
      for (const [name, verifier] of active)
        if (!mine.has(name)) {
          active.delete(name);
          // Still listed but no longer ours: another verifier takes over the room.
          await verifier.stop({ handover: listedNames.has(name) });
        }
      replan();
    } catch (error) {
      logger.warn({ err: error }, 'could not list rooms; LiveKit unreachable? retrying');
    } finally {
      discovering = false;
    }
  }

  /** Parts a previous run recorded but did not upload (it crashed or was killed): upload and report them. */
  async function recoverSpool(): Promise<void> {
    if (!recordings) return;
    for (const part of leftoverParts(config.VERIFIER_SPOOL_DIR)) {
      const outcome = await recordings.upload(
        {
          file: part.file,
          startedAtMs: part.startedAtMs,
          endedAtMs: part.startedAtMs,
          framesDroppedForSize: 0,
        },
        recordingKey(part.orgId, part.sessionId, part.startedAtMs),
      );
      logger.info(
        { sessionId: part.sessionId, ...outcome },
        'recording part left by a previous run uploaded',
      );
      await emit(part.sessionId, part.orgId, [
        recordingChanged(outcome, 'recovered after a verifier restart; the end of the part may be missing'),
      ]);
    }
  }

  let closed = false;
  void recoverSpool().catch((error: unknown) => logger.error({ err: error }, 'spool recovery failed'));
  const poller = setInterval(() => void discover(), config.VERIFIER_DISCOVERY_MS);
  void discover();

  const status = () => ({
    producerId,
    configuredFps: config.VERIFIER_SAMPLE_FPS,
    sampling: plan,
    pool: pool.stats(),
    rooms: [...active.values()].map((v) => v.stats()),
  });

  const app = await startHttpService({
    module: {
      module: VerifierModule,
      imports: [
        healthModule({
          mongo: () => mongo.db(config.EVENT_STORE_DB).command({ ping: 1 }),
          ...(recordings ? { s3: () => recordings.ping() } : {}),
        }),
      ],
    },
    logger,
    host: config.VERIFIER_HOST,
    port: config.VERIFIER_PORT,
    // What an operator (and the autoscaler's dashboards) need: rooms, sampling rate, whether it was reduced.
    configure: (fastify) => fastify.get('/status', async () => status()),
  });

  return {
    status,
    async close() {
      closed = true;
      clearInterval(poller);
      await Promise.all([...active.values()].map((v) => v.stop()));
      active.clear();
      await claims.releaseAll().catch(() => undefined);
      await pool.close();
      await app.close();
      await producer.disconnect();
      await nats.drain().catch(() => undefined);
      await mongo.close();
    },
  };
}
