/**
 * bench/report: PDF export time with a warm browser, reports per second, and alert latency from an
 * ingestion POST to delivery on a GraphQL subscription (SSE).
 *
 *   pnpm --filter @proctor/bench report [--pdfs 20] [--alerts 50]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newEventId } from '@proctor/domain';
import { startTestGateway } from '@proctor/gateway/testing';
import { startTestPipeline } from '@proctor/projector/testing';
import { eventually } from '@proctor/testkit';
import { machine, percentile } from '../machine.ts';

const { values: args } = parseArgs({
  options: { pdfs: { type: 'string', default: '20' }, alerts: { type: 'string', default: '50' } },
});
const PDFS = Number(args.pdfs);
const ALERTS = Number(args.alerts);
const log = (message: string) => console.error(`[bench] ${message}`);

const pipe = await startTestPipeline('benchreport');
const gw = await startTestGateway(pipe, ['bench@acme.test:bench-password:interviewer:acme']);
try {
  const signIn = await gw.graphql(
    'mutation { signIn(email: "bench@acme.test", password: "bench-password") { token } }',
  );
  const token = signIn.data?.signIn.token as string;
  const created = await gw.graphql(
    'mutation($i: CreateInterviewInput!) { createInterview(input: $i) { interview { id } candidateToken } }',
    { i: { candidateName: 'Bench Candidate', candidateEmail: 'b@example.com', title: 'Bench' } },
    { token },
  );
  const { interview, candidateToken } = (created.data?.createInterview ?? {}) as {
    interview: { id: string };
    candidateToken: string;
  };
  await eventually(async () => {
    if (!(await gw.sessions.get(interview.id))) throw new Error('not projected yet');
  });
  await gw.graphql('mutation($id: ID!) { startInterview(id: $id) { id } }', { id: interview.id }, { token });
  let seq = 0;
  const post = (events: Record<string, unknown>[]) =>
    fetch(`${gw.url}/api/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${candidateToken}` },
      body: JSON.stringify({
        sessionId: interview.id,
        events: events.map((payload) => ({
          eventId: newEventId(),
          sessionId: interview.id,
          producerId: 'bench',
          producerSeq: String(++seq),
          occurredAt: new Date().toISOString(),
          ...payload,
        })),
      }),
    });
  // A report with a realistic number of flags (a dozen episodes).
  for (let i = 0; i < 12; i++) {
    await post([
      { lookingAway: { phase: 'PHASE_START', episodeId: `a${i}`, yawDeg: 40 } },
      { lookingAway: { phase: 'PHASE_END', episodeId: `a${i}`, durationMs: '6000' } },
    ]);
  }

  // Alert latency: one event per POST, timed from the POST's start to its arrival on the subscription.
  const controller = new AbortController();
  const sse = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      query: 'subscription($id: ID!) { alerts(sessionId: $id) { eventId } }',
      variables: { id: interview.id },
    }),
  });
  const sent = new Map<string, number>();
  const alertMs: number[] = [];
  const reading = (async () => {
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (const match of buffer.matchAll(/"eventId":"([0-9a-f-]{36})"/g)) {
        const t = sent.get(match[1] ?? '');
        if (t !== undefined) {
          alertMs.push(performance.now() - t);
          sent.delete(match[1] ?? '');
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n'));
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < ALERTS; i++) {
    const eventId = newEventId();
    sent.set(eventId, performance.now());
    await gw.postClientEvent(candidateToken, interview.id, {
      eventId,
      producerId: 'bench',
      producerSeq: ++seq,
      tabHidden: { phase: 'PHASE_START', episodeId: `t${i}` },
    });
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1000));
  controller.abort();
  await reading;

  await gw.graphql('mutation($id: ID!) { endInterview(id: $id) { id } }', { id: interview.id }, { token });
  const exportPdf = async () => {
    const t0 = performance.now();
    const res = await gw.graphql(
      'mutation($id: ID!) { exportReport(sessionId: $id, format: PDF) { url } }',
      { id: interview.id },
      { token },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return performance.now() - t0;
  };
  log('warming the PDF browser');
  await exportPdf();
  const pdfMs: number[] = [];
  for (let i = 0; i < PDFS; i++) pdfMs.push(await exportPdf());
  const t0 = performance.now();
  await Promise.all(Array.from({ length: PDFS }, exportPdf));
  const reportsPerSecond = PDFS / ((performance.now() - t0) / 1000);

  const result = {
    machine: machine(),
    pdf: {
      p50Ms: Math.round(percentile(pdfMs, 50)),
      p95Ms: Math.round(percentile(pdfMs, 95)),
      sequential: PDFS,
    },
    reportsPerSecond: Math.round(reportsPerSecond * 10) / 10,
    alertLatencyMs: {
      p50: Math.round(percentile(alertMs, 50) * 10) / 10,
      p95: Math.round(percentile(alertMs, 95) * 10) / 10,
      delivered: alertMs.length,
      sent: ALERTS,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    [
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, node ${result.machine.node}`,
      `PDF export (warm browser, GraphQL → page → PDF → S3 → link): p50 ${result.pdf.p50Ms} ms, p95 ${result.pdf.p95Ms} ms`,
      `reports/s with ${PDFS} concurrent exports: ${result.reportsPerSecond}`,
      `alert latency (POST /api/logs start → GraphQL subscription over SSE): p50 ${result.alertLatencyMs.p50} ms, p95 ${result.alertLatencyMs.p95} ms (${alertMs.length}/${ALERTS} delivered)`,
    ].join('\n'),
  );
  const dir = new URL('../results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}report-${Date.now()}.json`, JSON.stringify(result, null, 2));
} finally {
  await gw.close();
  await pipe.close();
}
process.exit(0);
