// All data access of the web app: REST (the seed API, proxied by the gateway) and GraphQL.

import type { ProctoringReport } from '@proctor/domain';

/** The report as GET /api/reports/:id returns it: the domain's type, shared, never copied. */
export type Report = ProctoringReport;
export type ReportFlag = Report['flags'][number];

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
