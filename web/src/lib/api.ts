// All data access of the web app: REST (the seed API, proxied by the gateway) and GraphQL.

/** The report as GET /api/reports/:id returns it (ProctoringReport in @proctor/domain). */
export interface Report {
  sessionId: string;
  title: string;
  candidate: { name: string; email: string };
  interviewerId: string;
  status: 'scheduled' | 'live' | 'ended';
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number;
  duration: string;
  focusLost: number;
  absences: number;
  multipleFaces: number;
  objects: { kind: string; label: string; count: number }[];
  otherEvents: { kind: string; count: number }[];
  disagreements: number;
  integrity: {
    score: number;
    policyVersion: string;
    deductions: { kind: string; count: number; pointsEach: number; points: number }[];
  };
  flags: ReportFlag[];
  recording: {
    state: 'none' | 'recording' | 'completed' | 'failed';
    objectKey: string;
    durationMs: number;
    sizeBytes: number;
    error: string;
  };
  generatedAt: string;
}

export interface ReportFlag {
  id: string;
  kind: string;
  source: 'browser' | 'verifier' | 'system';
  label: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  confidence: number;
  offsetMs: number;
  evidence: {
    snapshotRef: string;
    frameTimeMs: number;
    confidence: number;
    recordingOffsetMs: number;
  } | null;
  review: { decision: 'CONFIRMED' | 'DISMISSED'; note: string; at: string } | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'proctor.token';

/** The bearer token: from the link's fragment (#token=...) first, kept for the tab; else the signed-in one. */
export function currentToken(): string | null {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    return fromFragment;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
}

export function rememberToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = currentToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `Request failed (${res.status})`,
    );
  }
  return body as T;
}

export const fetchReport = (sessionId: string) =>
  request<Report>(`/api/reports/${encodeURIComponent(sessionId)}`);
