import { describe, expect, it } from 'vitest';
import { bearerToken, createTokenService } from './tokens.ts';

const tokens = createTokenService('a-test-secret-that-is-long-enough-0123');

describe('tokens', () => {
  it('round-trips a candidate scoped to one session', async () => {
    const token = await tokens.issue({
      subject: 'cand-1',
      role: 'candidate',
      orgId: 'org-1',
      sessionId: 's-1',
    });
    expect(await tokens.verify(token)).toEqual({
      subject: 'cand-1',
      role: 'candidate',
      orgId: 'org-1',
      sessionId: 's-1',
      name: undefined,
    });
  });

  it('refuses a token signed with another secret, a tampered one, and an expired one', async () => {
    const other = createTokenService('another-secret-that-is-long-enough-xyz');
    const foreign = await other.issue({ subject: 'u', role: 'admin', orgId: 'org-1' });
    await expect(tokens.verify(foreign)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Invalid token',
    });
    const token = await tokens.issue({ subject: 'u', role: 'interviewer', orgId: 'org-1' });
    const [h, p, s] = token.split('.');
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    await expect(tokens.verify(`${h}.${elevated}.${s}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const expired = await tokens.issue({ subject: 'u', role: 'interviewer', orgId: 'org-1' }, -10);
    await expect(tokens.verify(expired)).rejects.toThrow(/expired/);
  });

  it('will not mint a candidate token without a session', async () => {
    await expect(tokens.issue({ subject: 'c', role: 'candidate', orgId: 'o' })).rejects.toThrow(/session/);
  });

  it('reads bearer tokens', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
