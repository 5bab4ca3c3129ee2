import { describe, expect, it } from 'vitest';
import { authorize, can } from './access.ts';
import type { Principal } from './tokens.ts';

const candidate: Principal = { subject: 'c', role: 'candidate', orgId: 'org-1', sessionId: 's-1' };
const interviewer: Principal = { subject: 'i', role: 'interviewer', orgId: 'org-1' };
const analyst: Principal = { subject: 'a', role: 'analyst', orgId: 'org-1' };
const own = { orgId: 'org-1', sessionId: 's-1' };

describe('access', () => {
  it('a candidate posts events only for its own session and never reads a report', () => {
    expect(can(candidate, 'session:post-events', own)).toBe(true);
    expect(can(candidate, 'session:post-events', { orgId: 'org-1', sessionId: 's-2' })).toBe(false);
    expect(can(candidate, 'report:read', own)).toBe(false);
    expect(() => authorize(candidate, 'report:read', own)).toThrow(/candidate may not report read/);
  });

  it('staff act only inside their organisation', () => {
    expect(can(interviewer, 'session:manage', own)).toBe(true);
    expect(can(interviewer, 'session:manage', { orgId: 'org-2' })).toBe(false);
    expect(() => authorize(interviewer, 'report:read', { orgId: 'org-2' })).toThrow(/another organisation/);
  });

  it('analysts read reports and analytics but do not manage or review', () => {
    expect(can(analyst, 'report:read', own)).toBe(true);
    expect(can(analyst, 'analytics:read')).toBe(true);
    expect(can(analyst, 'session:manage', own)).toBe(false);
    expect(can(analyst, 'flag:review', own)).toBe(false);
  });
});
