import { acceptClientEvent, newEventId } from '@proctor/domain';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './config.ts';
import { DETECTOR_VERSION, MEASURED, measuredPrecisionOf } from './measured.ts';
import {
  calibrate,
  createRules,
  type DetectionEvent,
  type FaceObservation,
  type FrameObservation,
  NO_CALIBRATION,
  toEventPayload,
} from './rules.ts';

const face = (over: Partial<FaceObservation> = {}): FaceObservation => ({
  box: { x: 200, y: 120, width: 220, height: 260 },
  confidence: 0.95,
  yawDeg: 0,
  pitchDeg: 0,
  gazeX: 0,
  gazeY: 0,
  eyeAspectRatio: 0.3,
  ...over,
});

/** A synthetic timeline at 10 frames per second: [seconds, what the frame shows]. */
function run(
  script: [number, (t: number) => Partial<FrameObservation>][],
  rules = createRules(),
): DetectionEvent[] {
  const events: DetectionEvent[] = [];
  let t = 0;
  for (const [seconds, frame] of script) {
    for (const end = t + seconds * 1000; t < end; t += 100) {
      events.push(...rules.push({ timeMs: t, faces: [face()], ...frame(t) }));
    }
  }
  return events;
}

const summary = (events: DetectionEvent[]) =>
  events.map((e) => `${e.kind}:${e.phase}@${e.atMs}${e.phase === 'END' ? `+${e.durationMs}` : ''}`);

describe('the temporal rules', () => {
  it('given a slow machine (a frame every 700 ms) showing no face for 12 s, then the absence is still found', () => {
    const rules = createRules();
    const events: DetectionEvent[] = [];
    for (let t = 0; t <= 12_600; t += 700) events.push(...rules.push({ timeMs: t, faces: [] }));
    expect(summary(events)).toEqual(['FACE_ABSENT:START@0']);
  });

  it('given no face for 12 s, then an absence starts dated from the first empty frame and ends when the face is back', () => {
    const events = run([
      [2, () => ({})],
      [12, () => ({ faces: [] })],
      [3, () => ({})],
    ]);
    expect(summary(events)).toEqual(['FACE_ABSENT:START@2000', 'FACE_ABSENT:END@13900+11900']);
  });

  it('given no face for 8 s, then nothing: under the 10 s of the requirement', () => {
    expect(
      run([
        [8, () => ({ faces: [] })],
        [3, () => ({})],
      ]),
    ).toEqual([]);
  });

  it('given the head turned 40° for 6 s, then a loss of focus; for 4 s, nothing', () => {
    expect(
      summary(
        run([
          [6, () => ({ faces: [face({ yawDeg: 40 })] })],
          [2, () => ({})],
        ]),
      ),
    ).toEqual(['LOOKING_AWAY:START@0', 'LOOKING_AWAY:END@5900+5900']);
    expect(
      run([
        [4, () => ({ faces: [face({ yawDeg: 40 })] })],
        [2, () => ({})],
      ]),
    ).toEqual([]);
  });

  it('given eyes looking off screen (iris gaze) with the head straight, then a loss of focus', () => {
    expect(summary(run([[5.5, () => ({ faces: [face({ gazeX: 0.8 })] })]]))).toEqual([
      'LOOKING_AWAY:START@0',
    ]);
  });

  it('given a 0.2 s glance back in the middle of looking away, then one episode, not two (hysteresis)', () => {
    const away = () => ({ faces: [face({ yawDeg: 45 })] });
    const events = run([
      [3, away],
      [0.2, () => ({})],
      [3, away],
      [0.5, () => ({})],
      [2, away],
      [2, () => ({})],
    ]);
    expect(summary(events)).toEqual(['LOOKING_AWAY:START@0', 'LOOKING_AWAY:END@8600+8600']);
  });

  it('given a camera placed to the side, then the calibrated neutral pose is not looking away', () => {
    const neutral = calibrate(
      Array.from({ length: 10 }, (_, i) => ({ timeMs: i * 100, faces: [face({ yawDeg: 22 + (i % 3) })] })),
    );
    expect(neutral.yawDeg).toBe(23);
    const sideways = () => ({ faces: [face({ yawDeg: 33 })] });
    expect(run([[7, sideways]], createRules({ calibration: neutral }))).toEqual([]);
    expect(run([[7, sideways]])).toHaveLength(1);
    expect(() => calibrate([{ timeMs: 0, faces: [] }])).toThrow(/at least 3 frames/);
    const late = createRules();
    late.recalibrate(neutral);
    expect(run([[7, sideways]], late)).toEqual([]);
  });

  it('given a second face for 1.5 s, then several faces; a face on a laptop screen does not count', () => {
    const second = face({ box: { x: 500, y: 100, width: 100, height: 120 } });
    expect(
      summary(
        run([
          [1.5, () => ({ faces: [face(), second] })],
          [2, () => ({})],
        ]),
      ),
    ).toEqual(['MULTIPLE_FACES:START@0', 'MULTIPLE_FACES:END@1400+1400']);
    const laptop = { label: 'laptop', confidence: 0.9, box: { x: 450, y: 50, width: 190, height: 200 } };
    expect(
      run([[3, () => ({ faces: [face(), second], objects: [laptop] })]]).filter(
        (e) => e.kind === 'MULTIPLE_FACES',
      ),
    ).toEqual([]);
  });

  it('given a phone in 2 of the last 6 object checks, then an object event from its first sighting; one sighting, nothing; 6 clear checks end it', () => {
    const phone = { label: 'cell phone', confidence: 0.7, box: { x: 10, y: 300, width: 60, height: 110 } };
    const rules = createRules();
    const check = (t: number, seen: boolean) =>
      rules.push({ timeMs: t, faces: [face()], objects: seen ? [phone] : [] });
    // One sighting, then six clear checks: a flicker, nothing.
    expect([0, 500, 1000, 1500, 2000, 2500, 3000].flatMap((t) => check(t, t === 0))).toEqual([]);
    // Seen, missed once (the hand moved), seen again: evidence over the episode starts it, dated from the first sighting.
    const started = [check(3500, true), check(4000, false), check(4500, true)].flat();
    expect(started).toMatchObject([
      {
        kind: 'OBJECT',
        phase: 'START',
        objectKind: 'PHONE',
        label: 'cell phone',
        atMs: 3500,
        evidence: { confidence: 0.7, frameTimeMs: 4500 },
      },
    ]);
    const ended = [5000, 5500, 6000, 6500, 7000, 7500].flatMap((t) => check(t, false));
    expect(ended).toMatchObject([{ kind: 'OBJECT', phase: 'END', objectKind: 'PHONE', durationMs: 4000 }]);
  });

  it('judges each kind of object by its own threshold', () => {
    const rules = createRules({
      config: { objectConfidence: { ...DEFAULT_RULES.objectConfidence, BOOK: 0.8 } },
    });
    const box = { x: 0, y: 0, width: 50, height: 50 };
    const seen = [0, 500].flatMap((t) =>
      rules.push({
        timeMs: t,
        faces: [face()],
        objects: [
          { label: 'book', confidence: 0.7, box },
          { label: 'cell phone', confidence: 0.7, box },
        ],
      }),
    );
    expect(seen.map((e) => e.objectKind)).toEqual(['PHONE']);
  });

  it('given a person in view whose face is not (turned away or hidden) for 6 s, then looking away; past 10 s also no face', () => {
    const person = { label: 'person', confidence: 0.97, box: { x: 100, y: 50, width: 300, height: 400 } };
    expect(summary(run([[6, () => ({ faces: [], objects: [person] })]]))).toEqual(['LOOKING_AWAY:START@0']);
    expect(summary(run([[11, () => ({ faces: [], objects: [person] })]]))).toEqual([
      'LOOKING_AWAY:START@0',
      'FACE_ABSENT:START@0',
    ]);
    // Nobody in view: an absence only, never a loss of focus.
    expect(summary(run([[11, () => ({ faces: [], objects: [] })]]))).toEqual(['FACE_ABSENT:START@0']);
  });

  it('given a calibrated candidate with narrow eyes, then narrow is not closed; their own eyes shut are', () => {
    const rules = createRules({ calibration: { ...NO_CALIBRATION, eyeAspectRatio: 0.2 } });
    const hold = (ear: number, from: number) =>
      Array.from({ length: 30 }, (_, k) =>
        rules.push({ timeMs: from + k * 100, faces: [face({ eyeAspectRatio: ear })] }),
      ).flat();
    expect(hold(0.16, 0)).toEqual([]);
    expect(hold(0.09, 3000).map((e) => `${e.kind}:${e.phase}`)).toEqual(['EYES_CLOSED:START']);
  });

  it('given eyes closed for 2.5 s, then drowsiness; a blink does nothing', () => {
    expect(summary(run([[2.5, () => ({ faces: [face({ eyeAspectRatio: 0.1 })] })]]))).toEqual([
      'EYES_CLOSED:START@0',
    ]);
    expect(
      run([
        [0.3, () => ({ faces: [face({ eyeAspectRatio: 0.1 })] })],
        [2, () => ({})],
      ]),
    ).toEqual([]);
  });

  it('gives every flag the precision its kind was measured at, for this detector version only', () => {
    const absent = run([[11, () => ({ faces: [] })]]).find((e) => e.kind === 'FACE_ABSENT') as DetectionEvent;
    const payload = toEventPayload(absent) as { faceAbsent: { evidence: Record<string, unknown> } };
    expect(payload.faceAbsent.evidence).toMatchObject({ modelVersion: DETECTOR_VERSION });
    expect(MEASURED.modelVersion).toBe(DETECTOR_VERSION); // re-run `eval --write-measured` after changing a threshold
    expect(payload.faceAbsent.evidence.measuredPrecision).toBe(
      MEASURED.byCategory['no face']?.precision ?? 0,
    );
    expect(measuredPrecisionOf({ kind: 'OBJECT', objectKind: 'PHONE' })).toBe(
      MEASURED.byCategory.phone?.precision ?? 0,
    );
  });

  it('turns every event into a payload the ingestion API accepts', () => {
    const events = run([
      [11, () => ({ faces: [] })],
      [2, () => ({ faces: [face(), face({ box: { x: 0, y: 0, width: 50, height: 50 } })] })],
      [
        6,
        () => ({
          faces: [face({ pitchDeg: -40 })],
          objects: [{ label: 'book', confidence: 0.8, box: { x: 0, y: 0, width: 9, height: 9 } }],
        }),
      ],
      [3, () => ({ faces: [face({ eyeAspectRatio: 0.05 })], objects: [] })],
      [2, () => ({})],
    ]);
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set(['FACE_ABSENT', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'OBJECT', 'EYES_CLOSED']),
    );
    const now = new Date();
    events.forEach((event, i) => {
      const raw = {
        eventId: newEventId(),
        sessionId: 's',
        producerId: 'tab',
        producerSeq: String(i + 1),
        occurredAt: now.toISOString(),
        ...toEventPayload(event),
      };
      const result = acceptClientEvent(raw, i, { sessionId: 's', orgId: 'o', now });
      expect('event' in result ? 'ok' : result.problem).toBe('ok');
    });
  });
});
