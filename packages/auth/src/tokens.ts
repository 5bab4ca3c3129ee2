import { UnauthenticatedError } from '@proctor/kernel';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const ROLES = ['candidate', 'interviewer', 'analyst', 'admin', 'api_client', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as every boundary sees it after authentication. */
export interface Principal {
  subject: string;
  role: Role;
  orgId: string;
  /** A candidate's token opens exactly one session. */
  sessionId?: string;
  name?: string;
}

const ISSUER = 'proctor';
const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  org: z.string().min(1),
  sid: z.string().min(1).optional(),
  name: z.string().optional(),
});

/** Default lifetimes: a candidate link lasts the interview day; staff sessions a working day. */
export const TOKEN_TTL_SECONDS: Record<Role, number> = {
  candidate: 12 * 3600,
  interviewer: 8 * 3600,
  analyst: 8 * 3600,
  admin: 8 * 3600,
  api_client: 3600,
  service: 3600,
};

export function createTokenService(secret: string) {
  if (secret.length < 32) throw new Error('token secret must be at least 32 characters');
  const key = new TextEncoder().encode(secret);

  return {
    async issue(principal: Principal, ttlSeconds = TOKEN_TTL_SECONDS[principal.role]): Promise<string> {
      if (principal.role === 'candidate' && !principal.sessionId)
        throw new Error('a candidate token needs a session id');
      return new SignJWT({
        role: principal.role,
        org: principal.orgId,
        sid: principal.sessionId,
        name: principal.name,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(principal.subject)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },

    async verify(token: string): Promise<Principal> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
        const claims = claimsSchema.parse(payload);
        return {
          subject: claims.sub,
          role: claims.role,
          orgId: claims.org,
          sessionId: claims.sid,
          name: claims.name,
        };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired)
          throw new UnauthenticatedError('Token expired: ask for a new link or sign in again');
        throw new UnauthenticatedError('Invalid token');
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
