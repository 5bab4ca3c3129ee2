import { DisagreementKind, ObjectClass, Phase, Source, timeline } from '@proctor/domain';
import { describe, expect, it } from 'vitest';
import {
  alreadyDisagreed,
  browserReported,
  lastBrowserEventMs,
  observedName,
  type Sighting,
} from './disagreements.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;
const phone: Sighting = { kind: 'OBJECT', objectKind: 'PHONE', fromMs: at(30), toMs: at(50) };

function session() {
  const t = timeline('s-1', 'org-1', T0);
  return { t, events: () => t.events.flatMap((s) => (s.event ? [s.event] : [])) };
}

describe('did the browser report what the verifier saw?', () => {
  it('yes when a browser episode of the same kind overlaps the sighting', () => {
    const { t, events } = session();
    t.add(31, {
      case: 'objectDetected',
      value: { phase: Phase.START, episodeId: 'e1', objectClass: ObjectClass.PHONE },
    });
    t.add(45, {
      case: 'objectDetected',
      value: { phase: Phase.END, episodeId: 'e1', objectClass: ObjectClass.PHONE },
    });
    expect(browserReported(phone, events(), 5_000)).toBe(true);
  });

  it('no when the browser reported something else, or the same thing at another time', () => {
    const { t, events } = session();
    t.add(31, {
      case: 'objectDetected',
      value: { phase: Phase.START, episodeId: 'b', objectClass: ObjectClass.BOOK },
    });
    t.add(100, {
      case: 'objectDetected',
      value: { phase: Phase.START, episodeId: 'p', objectClass: ObjectClass.PHONE },
    });
    t.add(32, { case: 'faceAbsent', value: { phase: Phase.START, episodeId: 'f' } });
    expect(browserReported(phone, events(), 5_000)).toBe(false);
    expect(browserReported({ kind: 'FACE_ABSENT', fromMs: at(20), toMs: at(40) }, events(), 5_000)).toBe(
      true,
    );
  });

  it('no when the only report came from the verifier itself (a tampered browser cannot borrow it)', () => {
    const { t, events } = session();
    t.add(
      31,
      {
        case: 'objectDetected',
        value: { phase: Phase.START, episodeId: 'v', objectClass: ObjectClass.PHONE },
      },
      Source.VERIFIER,
    );
    expect(browserReported(phone, events(), 5_000)).toBe(false);
  });

  it('an episode still open in the browser, or one whose START was lost, still counts', () => {
    const open = session();
    open.t.add(10, {
      case: 'objectDetected',
      value: { phase: Phase.START, episodeId: 'o', objectClass: ObjectClass.PHONE },
    });
    expect(browserReported(phone, open.events(), 0)).toBe(true);
    const endOnly = session();
    endOnly.t.add(40, {
      case: 'objectDetected',
      value: { phase: Phase.END, episodeId: 'x', objectClass: ObjectClass.PHONE },
    });
    expect(browserReported(phone, endOnly.events(), 0)).toBe(true);
  });

  it('a book the browser called paper is the same finding', () => {
    const { t, events } = session();
    t.add(35, {
      case: 'objectDetected',
      value: { phase: Phase.START, episodeId: 'p', objectClass: ObjectClass.PAPER },
    });
    expect(
      browserReported({ kind: 'OBJECT', objectKind: 'BOOK', fromMs: at(30), toMs: at(40) }, events(), 0),
    ).toBe(true);
  });

  it('a disagreement is recorded once per stretch, even across verifier restarts', () => {
    const { t, events } = session();
    expect(alreadyDisagreed(phone, events())).toBe(false);
    t.add(
      52,
      {
        case: 'disagreement',
        value: {
          kind: DisagreementKind.UNREPORTED_EVENT,
          observed: observedName(phone),
          fromMs: BigInt(at(30)),
          toMs: BigInt(at(40)),
        },
      },
      Source.VERIFIER,
    );
    expect(alreadyDisagreed(phone, events())).toBe(true);
    expect(alreadyDisagreed({ ...phone, fromMs: at(60), toMs: at(70) }, events())).toBe(false);
    expect(alreadyDisagreed({ kind: 'FACE_ABSENT', fromMs: at(30), toMs: at(40) }, events())).toBe(false);
  });
});

describe('when did the browser last show its detector runs?', () => {
  it('counts reports and statuses with frames, not statuses saying nothing was analysed', () => {
    const { t, events } = session();
    expect(lastBrowserEventMs(events())).toBeNull();
    t.add(10, { case: 'detectorStatus', value: { framesAnalysed: 140, fps: 9.3 } });
    t.add(20, { case: 'tabHidden', value: { phase: Phase.START, episodeId: 't' } });
    t.add(40, { case: 'detectorStatus', value: { framesAnalysed: 0, fps: 0 } });
    t.add(50, { case: 'sessionStarted', value: {} }, Source.SYSTEM);
    expect(lastBrowserEventMs(events())).toBe(at(20));
  });
});
