import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { newEventId } from '@proctor/domain';
import { startTestPipeline, type TestPipeline } from '@proctor/projector/testing';
import { eventually } from '@proctor/testkit';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './testing.ts';

let pipe: TestPipeline;
let gw: TestGateway;
const staff = {
  interviewer: { email: 'ivy@acme.test', role: 'interviewer', org: 'acme' },
  analyst: { email: 'ana@acme.test', role: 'analyst', org: 'acme' },
  admin: { email: 'adam@acme.test', role: 'admin', org: 'acme' },
  outsider: { email: 'otto@other.test', role: 'interviewer', org: 'other' },
} as const;
const PASSWORD = 'correct horse battery';
const tokens: Record<keyof typeof staff, string> = { interviewer: '', analyst: '', admin: '', outsider: '' };

beforeAll(async () => {
  pipe = await startTestPipeline('gateway');
  gw = await startTestGateway(
    pipe,
    Object.values(staff).map((u) => `${u.email}:${PASSWORD}:${u.role}:${u.org}`),
  );
  for (const [name, user] of Object.entries(staff)) {
    const res = await gw.graphql(
      'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }',
      { e: user.email, p: PASSWORD },
    );
    tokens[name as keyof typeof staff] = res.data?.signIn.token;
  }
}, 180_000);
afterAll(async () => {
  await gw?.close();
  await pipe?.close();
});

const CREATE = `mutation($input: CreateInterviewInput!) { createInterview(input: $input) { interview { id status roomName } candidateLink candidateToken } }`;
const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

async function createInterview(candidateName = 'John Doe') {
  const res = await gw.graphql(
    CREATE,
    { input: { candidateName, candidateEmail: 'john@example.com', title: 'Backend' } },
    { token: tokens.interviewer },
  );
  expect(res.errors).toBeUndefined();
  const created = res.data?.createInterview;
  await eventually(async () =>
    expect((await gw.sessions.get(created.interview.id))?.candidateName).toBe(candidateName),
  );
  return created as {
    interview: { id: string; roomName: string };
    candidateLink: string;
    candidateToken: string;
  };
}

function jwtClaims(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
}

describe('the GraphQL gateway', () => {
  it('signs staff in and refuses a wrong password without saying which part was wrong', async () => {
    expect(tokens.interviewer).toMatch(/^ey/);
    const bad = await gw.graphql(
      'mutation { signIn(email: "ivy@acme.test", password: "nope-nope") { token } }',
    );
    expect(code(bad)).toBe('UNAUTHENTICATED');
    expect(bad.errors?.[0]?.message).toBe('Wrong email or password');
  });

  it('creates an interview with a candidate link whose token opens only that room, publishing camera and microphone only', async () => {
    const created = await createInterview();
    expect(created.candidateLink).toContain(
      `/interview?role=candidate&session=${created.interview.id}#token=`,
    );
    const join = await gw.graphql(
      'mutation($id: ID!) { joinRoom(sessionId: $id) { url token room } }',
      { id: created.interview.id },
      { token: created.candidateToken },
    );
    expect(join.data?.joinRoom.room).toBe(created.interview.roomName);
    const grant = jwtClaims(join.data?.joinRoom.token).video;
    expect(grant).toMatchObject({
      room: created.interview.roomName,
      roomJoin: true,
      canPublish: true,
      canSubscribe: false,
      canPublishData: false,
    });
    expect(grant.canPublishSources.sort()).toEqual(['camera', 'microphone']);
    const watch = await gw.graphql(
      'mutation($id: ID!) { joinRoom(sessionId: $id) { token } }',
      { id: created.interview.id },
      { token: tokens.interviewer },
    );
    expect(jwtClaims(watch.data?.joinRoom.token).video).toMatchObject({
      canSubscribe: true,
      canPublish: false,
    });
    const exp = jwtClaims(watch.data?.joinRoom.token).exp - Date.now() / 1000;
    expect(exp).toBeLessThanOrEqual(600);
  });

  it('enforces every role × operation', async () => {
    const { interview, candidateToken } = await createInterview('Role Matrix');
    const id = interview.id;
    const ops = {
      report: ['query($id: ID!) { report(sessionId: $id) }', { id }],
      interview: ['query($id: ID!) { interview(id: $id) { id } }', { id }],
      list: ['{ interviews { edges { node { id } } } }', {}],
      create: [CREATE, { input: { candidateName: 'X', candidateEmail: 'x@example.com', title: 'T' } }],
      watch: ['mutation($id: ID!) { joinRoom(sessionId: $id) { token } }', { id }],
      analytics: ['{ analytics { topFlagKinds { kind } } }', {}],
    } as const;
    const expected: Record<string, Record<keyof typeof ops, 'ok' | string>> = {
      candidate: {
        report: 'FORBIDDEN',
        interview: 'FORBIDDEN',
        list: 'FORBIDDEN',
        create: 'FORBIDDEN',
        watch: 'ok',
        analytics: 'FORBIDDEN',
      },
      interviewer: {
        report: 'ok',
        interview: 'ok',
        list: 'ok',
        create: 'ok',
        watch: 'ok',
        analytics: 'FORBIDDEN',
      },
      analyst: {
        report: 'ok',
        interview: 'ok',
        list: 'ok',
        create: 'FORBIDDEN',
        watch: 'FORBIDDEN',
        analytics: 'ok',
      },
      admin: { report: 'ok', interview: 'ok', list: 'ok', create: 'ok', watch: 'ok', analytics: 'ok' },
      outsider: {
        report: 'FORBIDDEN',
        interview: 'FORBIDDEN',
        list: 'ok',
        create: 'ok',
        watch: 'FORBIDDEN',
        analytics: 'FORBIDDEN',
      },
      anonymous: {
        report: 'UNAUTHENTICATED',
        interview: 'UNAUTHENTICATED',
        list: 'UNAUTHENTICATED',
        create: 'UNAUTHENTICATED',
        watch: 'UNAUTHENTICATED',
        analytics: 'UNAUTHENTICATED',
      },
    };
    const tokenOf: Record<string, string | undefined> = {
      ...tokens,
      candidate: candidateToken,
      anonymous: undefined,
    };
    const actual: Record<string, Record<string, string>> = {};
    for (const role of Object.keys(expected)) {
      actual[role] = {};
      for (const [op, [query, variables]] of Object.entries(ops)) {
        const res = await gw.graphql(query, variables, { token: tokenOf[role] });
        (actual[role] as Record<string, string>)[op] = res.errors ? (code(res) ?? 'ERROR') : 'ok';
      }
    }
    expect(actual).toEqual(expected);
    // The outsider's list is its own organisation's: it never sees acme's interview.
    const outsiderList = await gw.graphql(ops.list[0], {}, { token: tokens.outsider });
    expect(outsiderList.data?.interviews.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(
      id,
    );
  });

  it('rejects bad input with BAD_USER_INPUT and hides internals', async () => {
    const badEmail = await gw.graphql(
      CREATE,
      { input: { candidateName: 'X', candidateEmail: 'not-an-email', title: 'T' } },
      { token: tokens.interviewer },
    );
    expect(code(badEmail)).toBe('BAD_USER_INPUT');
    const nested = `{ me { ${'... on Principal { '.repeat(10)}role${' }'.repeat(10)} } }`;
    const tooDeep = await gw.graphql(nested, {}, { token: tokens.interviewer });
    expect(code(tooDeep)).toBe('BAD_USER_INPUT');
    expect(tooDeep.errors?.[0]?.message).toContain('nested deeper than 8');
    const garbage = await gw.graphql(
      '{ interviews(first: "many") { edges { cursor } } }',
      {},
      { token: tokens.interviewer },
    );
    expect(garbage.errors?.length).toBeGreaterThan(0);
    const cursor = await gw.graphql(
      '{ interviews(after: "bogus") { edges { cursor } } }',
      {},
      { token: tokens.interviewer },
    );
    expect(code(cursor)).toBe('BAD_USER_INPUT');
    const missing = await gw.graphql(
      'query { interview(id: "nope") { id } }',
      {},
      { token: tokens.interviewer },
    );
    expect(code(missing)).toBe('NOT_FOUND');
    const forged = await gw.graphql('{ me { role } }', {}, { token: `${tokens.interviewer}x` });
    expect(code(forged)).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(forged)).not.toMatch(/at .*\.ts/);
  });

  it('delivers an alert posted to ingestion to a GraphQL subscription over SSE', async () => {
    const { interview, candidateToken } = await createInterview('Live Alert');
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${tokens.interviewer}`,
      },
      body: JSON.stringify({
        query: 'subscription($id: ID!) { alerts(sessionId: $id) { eventId kind phase source } }',
        variables: { id: interview.id },
      }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const eventId = newEventId();
    // Keep posting until the subscription is registered and the alert comes through.
    const poster = setInterval(() => {
      void gw.postClientEvent(candidateToken, interview.id, {
        eventId,
        tabHidden: { phase: 'PHASE_START', episodeId: 't1' },
      });
    }, 300);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes(eventId))
      received += decoder.decode((await reader.read()).value ?? new Uint8Array(), { stream: true });
    clearInterval(poster);
    controller.abort();
    expect(received).toContain('"kind":"tabHidden"');
    expect(received).toContain('"source":"browser"');
    // A candidate cannot listen to alerts, even of its own interview.
    const denied = await gw.graphql(
      'subscription($id: ID!) { alerts(sessionId: $id) { eventId } }',
      { id: interview.id },
      { token: candidateToken },
    );
    expect(code(denied)).toBe('FORBIDDEN');
  });

  it('delivers alerts over WebSocket (graphql-ws) with the token in the connection parameters, and refuses a candidate', async () => {
    const { interview, candidateToken } = await createInterview('Socket Alert');
    const client = (token: string) =>
      createClient({
        url: `${gw.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
    const interviewer = client(tokens.interviewer);
    const eventId = newEventId();
    const received = new Promise<{ eventId: string; kind: string }>((resolve, reject) => {
      interviewer.subscribe<{ alerts: { eventId: string; kind: string } }>(
        {
          query: 'subscription($id: ID!) { alerts(sessionId: $id) { eventId kind } }',
          variables: { id: interview.id },
        },
        {
          next: (msg) => msg.data && msg.data.alerts.eventId === eventId && resolve(msg.data.alerts),
          error: reject,
          complete: () => undefined,
        },
      );
    });
    const poster = setInterval(() => {
      void gw.postClientEvent(candidateToken, interview.id, {
        eventId,
        windowBlurred: { phase: 'PHASE_START', episodeId: 'w1' },
      });
    }, 300);
    try {
      expect(await received).toEqual({ eventId, kind: 'windowBlurred' });
    } finally {
      clearInterval(poster);
      await interviewer.dispose();
    }
    const candidate = client(candidateToken);
    const denied = await new Promise<unknown>((resolve) => {
      candidate.subscribe(
        {
          query: 'subscription($id: ID!) { alerts(sessionId: $id) { eventId } }',
          variables: { id: interview.id },
        },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    expect(JSON.stringify(denied)).toContain('FORBIDDEN');
    await candidate.dispose();
  });

  it('exports the report as PDF (rendered from the web report page), CSV and JSON behind time-limited links', async () => {
    const { interview, candidateToken } = await createInterview('Paula Printer');
    const start = await gw.graphql(
      'mutation($id: ID!) { startInterview(id: $id) { status } }',
      { id: interview.id },
      { token: tokens.interviewer },
    );
    expect(start.data?.startInterview.status).toBe('live');
    await eventually(async () => expect((await gw.sessions.get(interview.id))?.status).toBe('live'));
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    const events = [
      {
        producerSeq: '1',
        occurredAt: ago(20),
        objectDetected: {
          phase: 'PHASE_START',
          episodeId: 'ph',
          objectClass: 'OBJECT_CLASS_PHONE',
          label: 'cell phone',
          confidence: 0.9,
        },
      },
      {
        producerSeq: '2',
        occurredAt: ago(10),
        objectDetected: { phase: 'PHASE_END', episodeId: 'ph', objectClass: 'OBJECT_CLASS_PHONE' },
      },
    ].map((e) => ({ eventId: newEventId(), sessionId: interview.id, producerId: 'tab', ...e }));
    const posted = await fetch(`${gw.url}/api/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${candidateToken}` },
      body: JSON.stringify({ sessionId: interview.id, events }),
    });
    expect(posted.status).toBe(200);
    await gw.graphql(
      'mutation($id: ID!) { endInterview(id: $id) { status } }',
      { id: interview.id },
      { token: tokens.interviewer },
    );
    await eventually(async () => expect((await gw.sessions.get(interview.id))?.status).toBe('ended'));

    const exportAs = async (format: string) => {
      const res = await gw.graphql(
        'mutation($id: ID!, $f: ReportFormat!) { exportReport(sessionId: $id, format: $f) { url expiresAt } }',
        { id: interview.id, f: format },
        { token: tokens.analyst },
      );
      expect(res.errors).toBeUndefined();
      const url = res.data?.exportReport.url as string;
      expect(url).toContain('X-Amz-Expires=900');
      return fetch(url);
    };
    const pdf = Buffer.from(await (await exportAs('PDF')).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync('/tmp/gateway-report.pdf', pdf);
    const text = execFileSync('pdftotext', ['-layout', '/tmp/gateway-report.pdf', '-']).toString();
    expect(text).toContain('Paula Printer');
    expect(text).toMatch(/97\s*\/100/);
    expect(text).toContain('phone ×1');
    expect(text).toContain('Phone — cell phone');
    const csv = await (await exportAs('CSV')).text();
    expect(csv).toContain('candidate,Paula Printer');
    expect(csv).toContain('integrity_score,97');
    const json = await (await exportAs('JSON')).json();
    expect(json).toMatchObject({
      candidate: { name: 'Paula Printer' },
      objects: [{ kind: 'PHONE', count: 1 }],
      integrity: { score: 97 },
    });
    // The seed REST endpoint gives the same report.
    const rest = await (
      await fetch(`${gw.url}/api/reports/${interview.id}`, {
        headers: { authorization: `Bearer ${tokens.analyst}` },
      })
    ).json();
    expect({ ...rest, generatedAt: '' }).toEqual({ ...json, generatedAt: '' });
  });

  it('serves the seed REST routes itself: only staff of the organisation end an interview or read its report', async () => {
    const { interview, candidateToken } = await createInterview('Rita Rest');
    const get = (headers: Record<string, string>) =>
      fetch(`${gw.url}/api/reports/${interview.id}`, { headers });
    const end = (headers: Record<string, string>) =>
      fetch(`${gw.url}/api/sessions/${interview.id}/end`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ reason: 'time is up' }),
      });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await get({})).status).toBe(401);
    expect((await get(bearer(candidateToken))).status).toBe(403);
    expect((await get(bearer(tokens.outsider))).status).toBe(403);
    expect((await end(bearer(candidateToken))).status).toBe(403);
    expect((await end(bearer(tokens.analyst))).status).toBe(403);
    expect((await end(bearer(tokens.outsider))).status).toBe(403);
    const report = await get(bearer(tokens.analyst));
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ sessionId: interview.id, candidate: { name: 'Rita Rest' } });
    const ended = await end(bearer(tokens.interviewer));
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({ sessionId: interview.id, status: 'ended' });
    await eventually(async () => expect((await gw.sessions.get(interview.id))?.status).toBe('ended'));
    // Ending twice changes nothing; a made-up session is not found, whoever asks.
    expect((await end(bearer(tokens.interviewer))).status).toBe(200);
    const missing = await fetch(`${gw.url}/api/reports/no-such-session`, { headers: bearer(tokens.analyst) });
    expect(missing.status).toBe(404);
    // Ingestion takes events and nothing else.
    expect(
      (await fetch(`${pipe.ingestionUrl}/api/reports/${interview.id}`, { headers: bearer(tokens.analyst) }))
        .status,
    ).toBe(404);
  });

  it('shows an organisation: its size to staff, its members and API keys (never the keys) to admins only', async () => {
    const query = '{ organization { id interviewCount members { email role } apiKeys { name } } }';
    const asAdmin = await gw.graphql(query, {}, { token: tokens.admin });
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data?.organization.id).toBe('acme');
    expect(asAdmin.data?.organization.interviewCount).toBeGreaterThan(0);
    expect(asAdmin.data?.organization.members.map((m: { email: string }) => m.email)).toEqual([
      'adam@acme.test',
      'ana@acme.test',
      'ivy@acme.test',
    ]);
    expect(JSON.stringify(asAdmin)).not.toMatch(/hash|salt/);
    expect(code(await gw.graphql(query, {}, { token: tokens.interviewer }))).toBe('FORBIDDEN');
    const small = await gw.graphql('{ organization { id interviewCount } }', {}, { token: tokens.outsider });
    const theirs = await gw.graphql(
      '{ interviews(first: 100) { edges { node { id } } } }',
      {},
      { token: tokens.outsider },
    );
    expect(small.data?.organization).toEqual({
      id: 'other',
      interviewCount: theirs.data?.interviews.edges.length,
    });
  });

  it('lets an enterprise client read reports with an API key an admin created', async () => {
    const { interview } = await createInterview('Api Client');
    const created = await gw.graphql(
      'mutation { createApiKey(name: "ats-sync") { key } }',
      {},
      { token: tokens.admin },
    );
    const key = created.data?.createApiKey.key as string;
    expect(key).toMatch(/^pk_[0-9a-f]{12}_/);
    const report = await gw.graphql(
      'query($id: ID!) { report(sessionId: $id) }',
      { id: interview.id },
      { apiKey: key },
    );
    expect(report.data?.report.candidate.name).toBe('Api Client');
    expect(code(await gw.graphql('{ me { role } }', {}, { apiKey: `${key}x` }))).toBe('UNAUTHENTICATED');
    expect(
      code(
        await gw.graphql('mutation { createApiKey(name: "x") { key } }', {}, { token: tokens.interviewer }),
      ),
    ).toBe('FORBIDDEN');
  });
});
