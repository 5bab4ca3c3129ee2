import { DisagreementKind, ObjectClass, Phase, RecordingState, ReviewDecision, Source } from '@proctor/proto';
import { describe, expect, it } from 'vitest';
import { buildReport, reportToCsv } from './report.ts';
import { evolveSession, initialSession, type SessionView } from './session.ts';
import { timeline } from './testing.ts';

const project = (events: Parameters<typeof evolveSession>[1][]) =>
  events.reduce(evolveSession, initialSession('s-1'));

function seedInterview() {
  const t = timeline('s-1');
  t.add(
    0,
    {
      case: 'sessionCreated',
      value: { candidateName: 'John Doe', title: 'Backend', interviewerId: 'u-1' },
    },
    Source.SYSTEM,
  );
  t.add(0, { case: 'sessionStarted', value: {} }, Source.SYSTEM);
  for (const [i, at] of [60, 300, 900].entries()) {
    t.add(at, {
      case: 'lookingAway',
      value: { phase: Phase.START, episodeId: `away-${i}`, yawDeg: 40 },
    });
    t.add(at + 8, {
      case: 'lookingAway',
      value: { phase: Phase.END, episodeId: `away-${i}`, durationMs: 8000n },
    });
  }
  t.add(1200, { case: 'faceAbsent', value: { phase: Phase.START, episodeId: 'absent-1' } });
  t.add(1215, {
    case: 'faceAbsent',
    value: { phase: Phase.END, episodeId: 'absent-1', durationMs: 15000n },
  });
  t.add(1400, {
    case: 'objectDetected',
    value: {
      phase: Phase.START,
      episodeId: 'phone-1',
      objectClass: ObjectClass.PHONE,
      label: 'cell phone',
      confidence: 0.81,
    },
  });
  t.add(1410, {
    case: 'objectDetected',
    value: { phase: Phase.END, episodeId: 'phone-1', objectClass: ObjectClass.PHONE },
  });
  t.add(1532, { case: 'sessionEnded', value: { reason: 'interviewer ended' } }, Source.SYSTEM);
  return t;
}

describe('the session read model and report', () => {
  it('given the seed interview, when reported, then it reads 3 focus losses, 1 absence, phone ×1 and 92/100', () => {
    const report = buildReport(project(seedInterview().events), new Date());
    expect(report).toMatchObject({
      candidate: { name: 'John Doe' },
      duration: '25m 32s',
      focusLost: 3,
      absences: 1,
      multipleFaces: 0,
      objects: [{ kind: 'PHONE', label: 'phone', count: 1 }],
      integrity: { score: 92, policyVersion: 'integrity-v1' },
    });
    expect(report.integrity.deductions).toEqual([
      { kind: 'FOCUS_LOST', count: 3, pointsEach: 1, points: 3 },
      { kind: 'PHONE', count: 1, pointsEach: 3, points: 3 },
      { kind: 'FACE_ABSENT', count: 1, pointsEach: 2, points: 2 },
    ]);
    const phone = report.flags.find((f) => f.kind === 'PHONE');
    expect(phone).toMatchObject({
      label: 'cell phone',
      durationMs: 10_000,
      offsetMs: 1_400_000,
      confidence: 0.81,
    });
  });

  it('given an event delivered twice, when projected, then it counts once', () => {
    const t = seedInterview();
    const withDuplicates = t.events.flatMap((e) => [e, e]);
    expect(project(withDuplicates)).toEqual(project(t.events));
  });

  it('given an END that arrives before its START, then one flag spans both', () => {
    const t = timeline('s-1');
    t.add(0, { case: 'sessionStarted', value: {} }, Source.SYSTEM);
    const start = t.add(10, { case: 'faceAbsent', value: { phase: Phase.START, episodeId: 'e1' } });
    const end = t.add(22, {
      case: 'faceAbsent',
      value: { phase: Phase.END, episodeId: 'e1', durationMs: 12000n },
    });
    // The store numbers events in arrival order: the END arrived first.
    [start.sessionSeq, end.sessionSeq] = [end.sessionSeq, start.sessionSeq];
    const view = project([t.events[0], end, start] as never);
    expect(view.flags).toHaveLength(1);
    expect(view.flags[0]).toMatchObject({
      kind: 'FACE_ABSENT',
      durationMs: 12_000,
      startedAt: '2026-11-24T10:00:10.000Z',
    });
  });

  it('given a dismissed flag, then the score is recomputed without it and the flag stays visible', () => {
    const t = seedInterview();
    t.add(
      1600,
      {
        case: 'flagReviewed',
        value: {
          flagId: 'phone-1',
          decision: ReviewDecision.DISMISSED,
          note: 'it was a calculator',
        },
      },
      Source.SYSTEM,
    );
    const report = buildReport(project(t.events), new Date());
    expect(report.integrity.score).toBe(95);
    expect(report.objects).toEqual([]);
    expect(report.flags.find((f) => f.id === 'phone-1')?.review).toMatchObject({
      decision: 'DISMISSED',
      note: 'it was a calculator',
    });
  });

  it('given a flag still open at the end, then it lasts until the end', () => {
    const t = timeline('s-1');
    t.add(0, { case: 'sessionStarted', value: {} }, Source.SYSTEM);
    t.add(100, {
      case: 'multipleFaces',
      value: { phase: Phase.START, episodeId: 'm1', faceCount: 2 },
    });
    t.add(130, { case: 'sessionEnded', value: { reason: '' } }, Source.SYSTEM);
    const report = buildReport(project(t.events), new Date());
    expect(report.flags[0]).toMatchObject({ kind: 'MULTIPLE_FACES', label: '2 faces', durationMs: 30_000 });
    expect(report.integrity.score).toBe(95);
  });

  it('renders CSV with a summary and one quoted row per flag', () => {
    const view: SessionView = project(seedInterview().events);
    view.flags[0] = {
      ...view.flags[0],
      review: { decision: 'CONFIRMED', note: '=HYPERLINK("x"), really', at: '' },
    } as never;
    const csv = reportToCsv(buildReport(view, new Date()));
    expect(csv).toContain('candidate,John Doe\n');
    expect(csv).toContain('integrity_score,92\n');
    expect(csv).toContain(`"'=HYPERLINK(""x""), really"`);
    expect(
      csv
        .trim()
        .split('\n')
        .filter((l) => /^[0-9a-z-]+,(FOCUS_LOST|FACE_ABSENT|PHONE),/.test(l)),
    ).toHaveLength(5);
  });
});

describe('what the verifier reports', () => {
  it('dates a disagreement from when the verifier saw it, and points into the recording from its start', () => {
    const T0 = Date.parse('2026-11-24T10:00:00Z');
    const t = timeline('s-1', 'org-1', T0);
    t.add(0, { case: 'sessionStarted', value: {} }, Source.SYSTEM);
    t.add(
      5,
      { case: 'recordingChanged', value: { state: RecordingState.STARTED, objectKey: 'rec.mp4' } },
      Source.VERIFIER,
    );
    // Seen from 20 s to 50 s, judged (and sent) at 60 s.
    t.add(
      60,
      {
        case: 'disagreement',
        value: {
          kind: DisagreementKind.UNREPORTED_EVENT,
          observed: 'OBJECT_CLASS_PHONE',
          fromMs: BigInt(T0 + 20_000),
          toMs: BigInt(T0 + 50_000),
        },
      },
      Source.VERIFIER,
    );
    const view = project(t.events);
    expect(view.flags).toMatchObject([
      {
        kind: 'DISAGREEMENT',
        source: 'verifier',
        label: 'browser did not report: phone',
        durationMs: 30_000,
      },
    ]);
    expect(view.flags[0]?.startedAt).toBe('2026-11-24T10:00:20.000Z');
    expect(buildReport(view, new Date(T0 + 120_000)).flags[0]?.offsetMs).toBe(15_000);
  });
});
