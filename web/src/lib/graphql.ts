import { ApiError, currentToken } from './api.ts';

/** GraphQL over HTTP, with the stable error codes of the gateway turned into ApiError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = currentToken();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => null)) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  const error = body?.errors?.[0];
  if (error) throw new ApiError(res.status, error.extensions?.code ?? 'GRAPHQL_ERROR', error.message);
  if (!res.ok || !body?.data)
    throw new ApiError(res.status, 'HTTP_ERROR', `GraphQL request failed (${res.status})`);
  return body.data;
}

/**
 * A GraphQL subscription over server-sent events (graphql-yoga's SSE transport). Calls `onData` for each
 * result; reconnects after a dropped connection; returns a function that stops it.
 */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError: (error: Error) => void = () => undefined,
): () => void {
  const controller = new AbortController();
  let retryMs = 500;
  const connect = async () => {
    while (!controller.signal.aborted) {
      try {
        const token = currentToken();
        const res = await fetch('/graphql', {
          method: 'POST',
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        });
        if (!res.ok || !res.body)
          throw new ApiError(res.status, 'HTTP_ERROR', `subscription refused (${res.status})`);
        retryMs = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            const message = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            const data = message
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim())
              .join('\n');
            if (data) {
              const payload = JSON.parse(data) as {
                data?: T;
                errors?: { message: string; extensions?: { code?: string } }[];
              };
              if (payload.errors?.[0]) {
                const e = payload.errors[0];
                throw new ApiError(403, e.extensions?.code ?? 'GRAPHQL_ERROR', e.message);
              }
              if (payload.data) onData(payload.data);
            }
            boundary = buffer.indexOf('\n\n');
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && (error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED')) {
          onError(error);
          return;
        }
        onError(error instanceof Error ? error : new Error(String(error)));
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 10_000);
    }
  };
  void connect();
  return () => controller.abort();
}
