export { type Action, authorize, can } from './access.ts';
export {
  bearerToken,
  createTokenService,
  type Principal,
  ROLES,
  type Role,
  TOKEN_TTL_SECONDS,
  type TokenService,
} from './tokens.ts';
