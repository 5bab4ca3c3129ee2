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

/** ClickHouse settings of the services that read or write analytics (projector, gateway). */
export const clickhouseEnv = {
  CLICKHOUSE_URL: env.url(['http', 'https']),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /** Set on a replicated, sharded ClickHouse cluster (its name); unset for a single node. */
  CLICKHOUSE_CLUSTER: z.string().regex(/^\w+$/).optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/)
    .default('proctor_analytics'),
};

type ClickHouseEnv = z.infer<z.ZodObject<typeof clickhouseEnv>>;

/** The analytics connection from a service's validated configuration. */
export const clickhouseConfig = (config: ClickHouseEnv) => ({
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_USER,
  password: config.CLICKHOUSE_PASSWORD,
  database: config.CLICKHOUSE_DATABASE,
  cluster: config.CLICKHOUSE_CLUSTER,
});
