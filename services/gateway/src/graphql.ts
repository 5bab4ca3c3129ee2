import { bearerToken, type Principal, type TokenService } from '@proctor/auth';
import { isAppError, type Logger } from '@proctor/kernel';
import { GraphQLError, type ValidationRule } from 'graphql';
import { createGraphQLError, createYoga, type Plugin } from 'graphql-yoga';
import { buildSchema, type GatewayContext, type GatewayDeps } from './schema.ts';
import type { Users } from './users.ts';

const MAX_DEPTH = 8;

/** Refuses queries nested deeper than MAX_DEPTH: a cheap guard against expensive, recursive queries. */
const depthLimit: ValidationRule = (context) => {
  const depth = (node: { selectionSet?: { selections: readonly unknown[] } }, level: number): number => {
    if (!node.selectionSet) return level;
    return Math.max(level, ...node.selectionSet.selections.map((s) => depth(s as typeof node, level + 1)));
  };
  return {
    OperationDefinition(node) {
      if (depth(node, 0) > MAX_DEPTH) {
        context.reportError(
          new GraphQLError(`Query is nested deeper than ${MAX_DEPTH} levels`, {
            extensions: { code: 'BAD_USER_INPUT' },
          }),
        );
      }
    },
  };
};

const useDepthLimit = (): Plugin => ({
  onValidate({ addValidationRule }) {
    addValidationRule(depthLimit);
  },
});

/** Who is asking, for GraphQL and REST alike: a bearer token (people, services) or an x-api-key (enterprise clients). */
export function createAuthenticator(tokens: TokenService, users: Users) {
  return async (headers: { authorization?: string; apiKey?: string }): Promise<Principal | null> => {
    if (headers.apiKey) return users.verifyApiKey(headers.apiKey);
    const token = bearerToken(headers.authorization);
    return token ? tokens.verify(token) : null;
  };
}

export function createGraphqlHandler(deps: GatewayDeps & { logger: Logger }) {
  const authenticate = createAuthenticator(deps.tokens, deps.users);
  return createYoga<object, GatewayContext>({
    schema: buildSchema(deps),
    graphqlEndpoint: '/graphql',
    logging: false,
    landingPage: false,
    context: async ({ request }) => ({
      principal: await authenticate({
        authorization: request.headers.get('authorization') ?? undefined,
        apiKey: request.headers.get('x-api-key') ?? undefined,
      }),
    }),
    plugins: [useDepthLimit()],
    // Our named errors keep their code; anything else is logged and hidden behind a generic message.
    maskedErrors: {
      maskError(error, message) {
        // Duck-typed: graphql's CommonJS and ES module builds each have their own GraphQLError class.
        let original: unknown = error;
        while ((original as { originalError?: unknown })?.originalError)
          original = (original as { originalError: unknown }).originalError;
        if (isAppError(original))
          return createGraphQLError(original.message, {
            extensions: { code: original.code, details: original.details },
          });
        // Errors graphql itself raises (parse, validation) are safe to show as they are.
        if (original === error) return error as Error;
        deps.logger.error({ err: original }, 'unexpected GraphQL error');
        return createGraphQLError(message, { extensions: { code: 'INTERNAL' } });
      },
    },
  });
}
