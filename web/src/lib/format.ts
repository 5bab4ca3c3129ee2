// How the app names things: one place, so the page, the PDF and the alerts read the same.

const FLAG_NAMES: Record<string, string> = {
  FOCUS_LOST: 'Looking away',
  FACE_ABSENT: 'No face in view',
  MULTIPLE_FACES: 'Several faces',
  EYES_CLOSED: 'Eyes closed',
  PHONE: 'Phone',
  BOOK_OR_NOTES: 'Book or notes',
  EXTRA_DEVICE: 'Extra device',
  VOICE: 'Voice detected',
  NOISE: 'Background noise',
  TAB_HIDDEN: 'Tab hidden',
  WINDOW_BLURRED: 'Left the window',
  FULLSCREEN_EXITED: 'Left full screen',
  CLIPBOARD_PASTED: 'Pasted text',
  NETWORK_LOST: 'Connection lost',
  DISAGREEMENT: 'Server check disagrees',
};

export const flagName = (kind: string): string => FLAG_NAMES[kind] ?? kind;

/** "mm:ss" (or "h:mm:ss") from milliseconds: an offset into the interview. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export const seconds = (ms: number): string =>
  ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export const dateTime = (iso: string | null): string =>
  iso
    ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }) +
      ' UTC'
    : '—';

/** Score bands: what a reader should do with the number. */
export function scoreBand(score: number): { label: string; tone: 'good' | 'warn' | 'bad' } {
  if (score >= 85) return { label: 'No significant concerns', tone: 'good' };
  if (score >= 60) return { label: 'Review the flagged moments', tone: 'warn' };
  return { label: 'Serious integrity concerns', tone: 'bad' };
}
