import { env } from '@proctor/kernel';
import { z } from 'zod';

/** Configuration fields every pipeline service shares; each service spreads them into its own schema. */
export const kafkaEnv = {
  KAFKA_BROKERS: env.list(),
  /** Namespaces the pipeline's topics (tests run one pipeline each). */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]*$/)
    .default(''),
};

export const mongoEnv = {
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
};
