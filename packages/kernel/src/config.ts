import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Reads and validates a service's configuration from the environment, once, at start.
 * The only module allowed to look at `process.env`: everything else receives the typed result.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value = env[variable];
    return value === undefined || value === ''
      ? `  ${variable}: missing (${issue.message})`
      : `  ${variable}: invalid value ${JSON.stringify(value)} (${issue.message})`;
  });
  throw new ConfigError(
    `Invalid configuration; set these environment variables (defaults for the local stack are in deploy/stack.env):\n${problems.join('\n')}`,
  );
}

/** Like loadConfig, but prints the problem and exits with status 78 (EX_CONFIG): for a service's main(). */
export function loadConfigOrExit<S extends z.ZodType>(service: string, schema: S): z.infer<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${service}: ${error.message}`);
    process.exit(78);
  }
}

/** Field helpers shared by the services' schemas. */
export const env = {
  url: (protocols: string[]) =>
    z
      .string()
      .url()
      .refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
        message: `must be a ${protocols.join(' or ')} URL`,
      }),
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  secret: (minLength = 16) => z.string().min(minLength, `must be at least ${minLength} characters`),
  list: () =>
    z
      .string()
      .min(1)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
};
