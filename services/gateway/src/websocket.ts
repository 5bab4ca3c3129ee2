import type { Server } from 'node:http';
import type { Logger } from '@proctor/kernel';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { createGraphqlHandler } from './graphql.ts';

type Yoga = ReturnType<typeof createGraphqlHandler>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/**
 * GraphQL over WebSocket (graphql-ws protocol) on /graphql, beside HTTP and SSE: the same schema, plugins
 * and authentication. Browsers cannot set headers on a WebSocket, so the token travels in the connection
 * parameters: `{ authorization: "Bearer …" }` or `{ "x-api-key": "pk_…" }`.
 */
export function attachWebSocket(server: Server, yoga: Yoga, logger: Logger): () => Promise<void> {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const cleanup = useServer(
    {
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: Enveloped['execute'] }).execute(args),
      subscribe: (args: ExecutionArgs) =>
        (args.rootValue as { subscribe: Enveloped['subscribe'] }).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const headers = new Headers();
        for (const name of ['authorization', 'x-api-key']) {
          const value = ctx.connectionParams?.[name];
          if (typeof value === 'string') headers.set(name, value);
        }
        const request = new Request('http://gateway/graphql', { headers });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          request,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );
  logger.debug('GraphQL over WebSocket ready');
  return async () => {
    await cleanup.dispose();
    await new Promise((resolve) => wss.close(resolve));
  };
}
