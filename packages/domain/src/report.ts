import { INTEGRITY_POLICY_V1, type IntegrityPolicy, type IntegrityScore, scoreIntegrity } from './policy.ts';
import type { Flag, FlagKind, SessionView } from './session.ts';

/** The proctoring report, as the requirements list it; the page, the PDF, JSON and CSV all render this. */
export interface ProctoringReport {
  sessionId: string;
  title: string;
  candidate: { name: string; email: string };
  interviewerId: string;
  status: SessionView['status'];
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number;
  duration: string;
  focusLost: number;
  absences: number;
  multipleFaces: number;
  objects: { kind: 'PHONE' | 'BOOK_OR_NOTES' | 'EXTRA_DEVICE'; label: string; count: number }[];
  otherEvents: { kind: FlagKind; count: number }[];
  disagreements: number;
  integrity: IntegrityScore;
  flags: (Flag & { offsetMs: number })[];
  recording: SessionView['recording'];
  generatedAt: string;
}

const OBJECT_KINDS = ['PHONE', 'BOOK_OR_NOTES', 'EXTRA_DEVICE'] as const;
const OBJECT_LABEL: Record<(typeof OBJECT_KINDS)[number], string> = {
  PHONE: 'phone',
  BOOK_OR_NOTES: 'book / notes',
  EXTRA_DEVICE: 'extra device',
};
const COUNTED_APART: ReadonlySet<FlagKind> = new Set<FlagKind>([
  'FOCUS_LOST',
  'FACE_ABSENT',
  'MULTIPLE_FACES',
  'DISAGREEMENT',
  ...OBJECT_KINDS,
]);

/** "25m 32s", "1h 02m 05s", "0s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`;
  return m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function buildReport(
  view: SessionView,
  now: Date,
  policy: IntegrityPolicy = INTEGRITY_POLICY_V1,
): ProctoringReport {
  const start = view.startedAt ? Date.parse(view.startedAt) : null;
  const end = view.endedAt ? Date.parse(view.endedAt) : now.getTime();
  const durationMs = start === null ? 0 : Math.max(0, end - start);
  // An episode still open when the interview ended lasted until the end.
  const flags = [...view.flags]
    .map((flag) => {
      const durationFlag = flag.endedAt ? flag.durationMs : Math.max(0, end - Date.parse(flag.startedAt));
      // Where the flag is in the recording: from the recording's own start when there is one.
      const origin = view.recording.startedAt ? Date.parse(view.recording.startedAt) : start;
      const offsetMs =
        flag.evidence?.recordingOffsetMs ||
        (origin === null ? 0 : Math.max(0, Date.parse(flag.startedAt) - origin));
      return { ...flag, durationMs: durationFlag, offsetMs };
    })
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  const active = flags.filter((flag) => flag.review?.decision !== 'DISMISSED');
  const count = (kind: FlagKind) => active.filter((flag) => flag.kind === kind).length;
  const others = new Map<FlagKind, number>();
  for (const flag of active)
    if (!COUNTED_APART.has(flag.kind)) others.set(flag.kind, (others.get(flag.kind) ?? 0) + 1);

  return {
    sessionId: view._id,
    title: view.title,
    candidate: { name: view.candidateName, email: view.candidateEmail },
    interviewerId: view.interviewerId,
    status: view.status,
    startedAt: view.startedAt,
    endedAt: view.endedAt,
    durationMs,
    duration: formatDuration(durationMs),
    focusLost: count('FOCUS_LOST'),
    absences: count('FACE_ABSENT'),
    multipleFaces: count('MULTIPLE_FACES'),
    objects: OBJECT_KINDS.map((kind) => ({ kind, label: OBJECT_LABEL[kind], count: count(kind) })).filter(
      (o) => o.count > 0,
    ),
    otherEvents: [...others]
      .map(([kind, n]) => ({ kind, count: n }))
      .sort((a, b) => a.kind.localeCompare(b.kind)),
    disagreements: count('DISAGREEMENT'),
    integrity: scoreIntegrity(flags, policy),
    flags,
    recording: view.recording,
    generatedAt: now.toISOString(),
  };
}

const CSV_COLUMNS = [
  'flag_id',
  'kind',
  'label',
  'source',
  'started_at',
  'ended_at',
  'duration_ms',
  'confidence',
  'offset_ms',
  'review',
  'note',
  'measured_precision',
  'model_version',
] as const;

function csvCell(value: string | number): string {
  const text = String(value);
  // Quote when needed, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The report as CSV: a summary block, then one row per flag. */
export function reportToCsv(report: ProctoringReport): string {
  const summary: [string, string | number][] = [
    ['session_id', report.sessionId],
    ['candidate', report.candidate.name],
    ['duration', report.duration],
    ['focus_lost', report.focusLost],
    ['absences', report.absences],
    ['multiple_faces', report.multipleFaces],
    ...report.objects.map((o): [string, number] => [`objects_${o.kind.toLowerCase()}`, o.count]),
    ['disagreements', report.disagreements],
    ['integrity_score', report.integrity.score],
    ['policy_version', report.integrity.policyVersion],
  ];
  const lines = summary.map(([k, v]) => `${csvCell(k)},${csvCell(v)}`);
  lines.push('', CSV_COLUMNS.join(','));
  for (const f of report.flags) {
    lines.push(
      [
        f.id,
        f.kind,
        f.label,
        f.source,
        f.startedAt,
        f.endedAt ?? '',
        f.durationMs,
        f.confidence.toFixed(2),
        f.offsetMs,
        f.review?.decision ?? '',
        f.review?.note ?? '',
        f.evidence?.measuredPrecision ? f.evidence.measuredPrecision.toFixed(2) : '',
        f.evidence?.modelVersion ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
