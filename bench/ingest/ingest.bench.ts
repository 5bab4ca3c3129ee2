/**
 * bench/ingest: sustained events/s from HTTP to both projections, projection lag and alert latency.
 *
 *   pnpm --filter @proctor/bench ingest [--sessions 40] [--seconds 20] [--batch 100]
 *
 * Starts ingestion, event-store and projector as separate processes on their own topics and databases
 * (the running stack's servers), drives N simulated interviews posting batches over keep-alive HTTP, and
 * measures: accepted events/s; POST latency; lag from a POST's answer to its events being visible in the
 * Mongo read model and in ClickHouse; alert latency from the start of a POST to the NATS alert.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newEventId } from '@proctor/domain';
import { connect } from 'nats';
import { machine, percentile } from '../machine.ts';
import { log, startPipeline, trackLag } from '../pipeline-harness.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
  },
});
const SESSIONS = Number(args.sessions);
const SECONDS = Number(args.seconds);
const BATCH = Number(args.batch);
const ORG = 'bench';
const root = new URL('../../', import.meta.url).pathname;

const pipe = await startPipeline('bench');
const sessions = Array.from({ length: SESSIONS }, (_, i) => `${pipe.ns}-s${i}`);
try {
  await pipe.createSessions(ORG, sessions);

  // Alerts: the time from the start of a POST to the NATS message for its first event.
  const nc = await connect({ servers: pipe.stack.NATS_URL });
  const postStarted = new Map<string, number>();
  const alertMs: number[] = [];
  const alertSub = nc.subscribe(`proctor.alerts.v1.${ORG}.>`);
  void (async () => {
    for await (const m of alertSub) {
      const t = postStarted.get((m.json() as { eventId: string }).eventId);
      if (t !== undefined) alertMs.push(performance.now() - t);
    }
  })();

  const lag = trackLag(pipe);

  // Each simulated interview posts its batches one after another, like an outbox does.
  const postMs: number[] = [];
  let accepted = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (session, s) => {
      const token = await pipe.tokens.issue({
        subject: session,
        role: 'candidate',
        orgId: ORG,
        sessionId: session,
      });
      let seq = 0;
      let count = 1; // sessionCreated
      let batchNo = 0;
      while (performance.now() < deadline) {
        const events = Array.from({ length: BATCH }, (_, i) => {
          seq += 1;
          const kind = i % 4;
          const episode = `e-${s}-${Math.floor(seq / 2)}`;
          const payload =
            kind === 0
              ? { lookingAway: { phase: 'PHASE_START', episodeId: episode, yawDeg: 35 } }
              : kind === 1
                ? { lookingAway: { phase: 'PHASE_END', episodeId: episode, durationMs: '6000' } }
                : kind === 2
                  ? {
                      objectDetected: {
                        phase: 'PHASE_START',
                        episodeId: episode,
                        objectClass: 'OBJECT_CLASS_PHONE',
                        confidence: 0.8,
                      },
                    }
                  : {
                      objectDetected: {
                        phase: 'PHASE_END',
                        episodeId: episode,
                        objectClass: 'OBJECT_CLASS_PHONE',
                      },
                    };
          return {
            eventId: newEventId(),
            sessionId: session,
            producerId: `tab-${s}`,
            producerSeq: String(seq),
            occurredAt: new Date().toISOString(),
            ...payload,
          };
        });
        const t0 = performance.now();
        if (batchNo % 5 === 0) postStarted.set(events[0]?.eventId ?? '', t0);
        const res = await fetch(`${pipe.ingestionUrl}/api/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ sessionId: session, events }),
        });
        const body = (await res.json()) as { accepted?: number };
        const t1 = performance.now();
        postMs.push(t1 - t0);
        accepted += body.accepted ?? 0;
        count += body.accepted ?? 0;
        if (batchNo % 5 === 0) lag.expect(session, count, t1);
        batchNo += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  log(`load done: ${accepted} events in ${elapsed.toFixed(1)} s; waiting for the projections to catch up`);
  const drainStart = performance.now();
  await lag.drain();
  const { mongo: mongoLag, clickhouse: chLag } = lag.lag;
  const drainSeconds = (performance.now() - drainStart) / 1000;
  alertSub.unsubscribe();

  const ms = (v: number) => Math.round(v);
  const result = {
    machine: machine(),
    params: { sessions: SESSIONS, seconds: SECONDS, batch: BATCH },
    accepted,
    acceptedPerSecond: Math.round(accepted / elapsed),
    postLatencyMs: { p50: ms(percentile(postMs, 50)), p95: ms(percentile(postMs, 95)) },
    mongoLagMs: {
      p50: ms(percentile(mongoLag, 50)),
      p95: ms(percentile(mongoLag, 95)),
      samples: mongoLag.length,
    },
    clickhouseLagMs: {
      p50: ms(percentile(chLag, 50)),
      p95: ms(percentile(chLag, 95)),
      samples: chLag.length,
    },
    alertLatencyMs: {
      p50: Math.round(percentile(alertMs, 50) * 10) / 10,
      p95: Math.round(percentile(alertMs, 95) * 10) / 10,
      samples: alertMs.length,
    },
    drainAfterLoadSeconds: Math.round(drainSeconds * 10) / 10,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    [
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, node ${result.machine.node}`,
      `ingest: ${result.acceptedPerSecond} events/s accepted (${accepted} events, ${SESSIONS} interviews, batches of ${BATCH}, ${elapsed.toFixed(1)} s)`,
      `POST /api/logs latency: p50 ${result.postLatencyMs.p50} ms, p95 ${result.postLatencyMs.p95} ms`,
      `projection lag (POST answered → visible): Mongo p50 ${result.mongoLagMs.p50} ms, p95 ${result.mongoLagMs.p95} ms; ClickHouse p50 ${result.clickhouseLagMs.p50} ms, p95 ${result.clickhouseLagMs.p95} ms`,
      `alert latency (POST start → NATS): p50 ${result.alertLatencyMs.p50} ms, p95 ${result.alertLatencyMs.p95} ms`,
    ].join('\n'),
  );
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/ingest-${Date.now()}.json`, JSON.stringify(result, null, 2));
  await nc.close();
} finally {
  await pipe.close();
}
process.exit(0);
