/**
 * bench/verifier: how many frames per second one core of the verifier analyses, and how many live interviews
 * one verifier sustains at its sampling rate before the fair-share reduction starts. Interviews are real
 * LiveKit rooms with a synthetic candidate publishing a real photo (rtc-node), so decoding, sampling, the
 * detector pool and recording all run as in production; the publishers share the machine.
 *
 *   pnpm --filter @proctor/bench verifier [--rooms 1,2,4,8] [--seconds 30] [--fps 0.5] [--record true]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from '@livekit/rtc-node';
import { encodeRoomMetadata, newEventId, roomNameFor } from '@proctor/domain';
import { startTestPipeline } from '@proctor/projector/testing';
import { stackValue } from '@proctor/testkit';
import { startTestVerifier } from '@proctor/verifier/testing';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { type BenchFrame, benchFrames, runPool } from '../detector/frames.ts';
import { machine } from '../machine.ts';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '1,2,4,8' },
    seconds: { type: 'string', default: '30' },
    fps: { type: 'string', default: '0.5' },
    record: { type: 'string', default: 'true' },
    'publish-fps': { type: 'string', default: '5' },
  },
});
const STAGES = args.rooms.split(',').map(Number);
const SECONDS = Number(args.seconds);
const SAMPLE_FPS = Number(args.fps);
const PUBLISH_FPS = Number(args['publish-fps']);
const ORG = 'bench-verifier';
const log = (message: string) => console.error(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frames per second per core through the pool, as the verifier calls it (raw RGBA). */
async function poolThroughput(frame: BenchFrame, threads: number, objects: boolean) {
  const { fps } = await runPool(frame, threads, objects, 40);
  return { threads, objects, fps: Number(fps.toFixed(1)), fpsPerCore: Number((fps / threads).toFixed(1)) };
}

/** A synthetic candidate: joins a room and publishes the frame as a camera track. */
async function candidate(service: RoomServiceClient, frame: BenchFrame) {
  const sessionId = newEventId();
  const name = roomNameFor(sessionId);
  await service.createRoom({
    name,
    emptyTimeout: 60,
    metadata: encodeRoomMetadata({ sessionId, orgId: ORG }),
  });
  const token = new AccessToken(stackValue('LIVEKIT_API_KEY'), stackValue('LIVEKIT_API_SECRET'), {
    identity: `candidate:${sessionId}`,
  });
  token.addGrant({ room: name, roomJoin: true, canPublish: true, canSubscribe: false });
  const room = new Room();
  await room.connect(stackValue('LIVEKIT_URL'), await token.toJwt(), {
    autoSubscribe: false,
    dynacast: false,
  });
  const source = new VideoSource(640, 480);
  const track = LocalVideoTrack.createVideoTrack('camera', source);
  await room.localParticipant?.publishTrack(
    track,
    new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA }),
  );
  const timer = setInterval(
    () => source.captureFrame(new VideoFrame(frame.rgba, 640, 480, VideoBufferType.RGBA)),
    1000 / PUBLISH_FPS,
  );
  return {
    sessionId,
    async leave() {
      clearInterval(timer);
      await room.disconnect();
      await service.deleteRoom(name).catch(() => undefined);
    },
  };
}

const { oneFace } = await benchFrames();
const cores = availableParallelism();
log('detector pool throughput (raw 640×480 RGBA, one face)');
const throughput = [];
for (const threads of [...new Set([1, cores])])
  for (const objects of [false, true]) throughput.push(await poolThroughput(oneFace, threads, objects));

const pipe = await startTestPipeline('benchverify');
const verifier = await startTestVerifier(pipe.ns, [ORG], {
  VERIFIER_SAMPLE_FPS: SAMPLE_FPS,
  VERIFIER_WORKERS: cores,
  VERIFIER_RECORD: args.record === 'true',
  VERIFIER_GRACE_MS: 15_000,
  VERIFIER_SILENT_MS: 600_000,
});
const service = new RoomServiceClient(
  stackValue('LIVEKIT_URL').replace(/^ws/, 'http'),
  stackValue('LIVEKIT_API_KEY'),
  stackValue('LIVEKIT_API_SECRET'),
);
const stages = [];
try {
  for (const rooms of STAGES) {
    log(`${rooms} live interview(s), ${SECONDS} s`);
    const candidates = await Promise.all(Array.from({ length: rooms }, () => candidate(service, oneFace)));
    const ids = new Set(candidates.map((c) => c.sessionId));
    const watched = () => verifier.status().rooms.filter((r) => ids.has(r.sessionId));
    for (let waited = 0; watched().filter((r) => r.framesSeen > 0).length < rooms && waited < 60; waited++)
      await sleep(1000);
    const before = new Map(watched().map((r) => [r.sessionId, r]));
    const poolBefore = verifier.status().pool;
    const cpuBefore = process.cpuUsage();
    await sleep(SECONDS * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const status = verifier.status();
    const perRoom = watched().map((r) => {
      const b = before.get(r.sessionId);
      return {
        samplesPerSecond: (r.samples - (b?.samples ?? 0)) / SECONDS,
        framesPerSecond: (r.framesSeen - (b?.framesSeen ?? 0)) / SECONDS,
        dropped: r.samplesDropped - (b?.samplesDropped ?? 0),
      };
    });
    const rates = perRoom.map((r) => r.samplesPerSecond);
    stages.push({
      rooms,
      watched: perRoom.length,
      samplesPerRoomPerSecond: {
        mean: Number((rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length)).toFixed(2)),
        min: Number(Math.min(...rates).toFixed(2)),
      },
      receivedFpsPerRoom: Number(
        (perRoom.reduce((a, r) => a + r.framesPerSecond, 0) / Math.max(1, perRoom.length)).toFixed(1),
      ),
      droppedSamples: perRoom.reduce((a, r) => a + r.dropped, 0),
      reduced: status.sampling.reduced,
      perRoomFps: Number(status.sampling.perRoomFps.toFixed(2)),
      capacityFps: Number(status.sampling.capacityFps.toFixed(1)),
      poolFramesPerSecond: Number(((status.pool.processed - poolBefore.processed) / SECONDS).toFixed(2)),
      processCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / SECONDS) * 100),
    });
    log(JSON.stringify(stages.at(-1)));
    await Promise.all(candidates.map((c) => c.leave()));
    await sleep(3000);
  }
} finally {
  await verifier.close();
  await pipe.close();
}

const sustained = stages
  .filter((s) => !s.reduced && s.samplesPerRoomPerSecond.min >= 0.8 * SAMPLE_FPS)
  .at(-1);
const result = {
  bench: 'verifier',
  at: new Date().toISOString(),
  machine: machine(),
  sampleFps: SAMPLE_FPS,
  publishFps: PUBLISH_FPS,
  recording: args.record === 'true',
  throughput,
  stages,
  sustainedRooms: sustained?.rooms ?? 0,
};
console.log(JSON.stringify(result.machine));
console.table(throughput);
console.table(
  stages.map((s) => ({
    rooms: s.rooms,
    'samples/s/room (mean, min)': `${s.samplesPerRoomPerSecond.mean}, ${s.samplesPerRoomPerSecond.min}`,
    'frames in/s/room': s.receivedFpsPerRoom,
    'pool frames/s': s.poolFramesPerSecond,
    'capacity est. fps': s.capacityFps,
    reduced: s.reduced,
    dropped: s.droppedSamples,
    'process CPU %': s.processCpuPercent,
  })),
);
console.log(
  `sustained at ${SAMPLE_FPS} fps sampling before the fair-share reduction: ${result.sustainedRooms} interview(s) (largest stage tried: ${Math.max(...STAGES)})`,
);
const dir = new URL('../results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}verifier-${Date.now()}.json`, JSON.stringify(result, null, 2));
process.exit(0);
