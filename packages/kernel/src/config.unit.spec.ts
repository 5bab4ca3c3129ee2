import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { env, loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';

const schema = z.object({
  KAFKA_BROKERS: env.list(),
  PORT: env.port(4100),
  NATS_URL: env.url(['nats']),
  TOKEN_SECRET: env.secret(16),
});

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'a:9092, b:9092',
      NATS_URL: 'nats://127.0.0.1:4222',
      TOKEN_SECRET: 'x'.repeat(16),
    });
    expect(config).toEqual({
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      PORT: 4100,
      NATS_URL: 'nats://127.0.0.1:4222',
      TOKEN_SECRET: 'x'.repeat(16),
    });
  });

  it('names every missing and invalid variable in one message', () => {
    const attempt = () =>
      loadConfig(schema, { PORT: '70000', NATS_URL: 'http://127.0.0.1:4222', TOKEN_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('KAFKA_BROKERS: missing');
      expect(message).toContain('PORT: invalid value "70000"');
      expect(message).toContain('NATS_URL: invalid value "http://127.0.0.1:4222" (must be a nats URL)');
      expect(message).toContain('TOKEN_SECRET: invalid value "short" (must be at least 16 characters)');
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    }
  });
});
