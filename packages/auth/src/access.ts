import { ForbiddenError } from '@proctor/kernel';
import type { Principal, Role } from './tokens.ts';

/**
 * Who may do what, in one place for every boundary (REST, GraphQL). Each check throws ForbiddenError with
 * a message that says what would be needed. Organisation scoping applies to everyone.
 */
export type Action =
  | 'session:post-events'
  | 'session:join-as-candidate'
  | 'session:manage'
  | 'session:watch'
  | 'session:read'
  | 'report:read'
  | 'flag:review'
  | 'analytics:read';

const ALLOWED: Record<Action, readonly Role[]> = {
  'session:post-events': ['candidate'],
  'session:join-as-candidate': ['candidate'],
  'session:manage': ['interviewer', 'admin', 'api_client', 'service'],
  'session:watch': ['interviewer', 'admin'],
  'session:read': ['interviewer', 'analyst', 'admin', 'api_client', 'service'],
  'report:read': ['interviewer', 'analyst', 'admin', 'api_client', 'service'],
  'flag:review': ['interviewer', 'admin'],
  'analytics:read': ['analyst', 'admin', 'api_client'],
};

export function can(
  principal: Principal,
  action: Action,
  target?: { orgId: string; sessionId?: string },
): boolean {
  if (!ALLOWED[action].includes(principal.role)) return false;
  if (target && target.orgId !== principal.orgId) return false;
  if (principal.role === 'candidate' && target?.sessionId !== principal.sessionId) return false;
  return true;
}

export function authorize(
  principal: Principal,
  action: Action,
  target?: { orgId: string; sessionId?: string },
): void {
  if (can(principal, action, target)) return;
  if (!ALLOWED[action].includes(principal.role)) {
    throw new ForbiddenError(`A ${principal.role} may not ${action.replace(':', ' ').replace('-', ' ')}`);
  }
  throw new ForbiddenError('This resource belongs to another organisation or session');
}
