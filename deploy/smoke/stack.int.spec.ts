import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { launchChromium, stackValue, uniqueName } from '@proctor/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { RoomServiceClient } from 'livekit-server-sdk';
import { Client as MinioClient } from 'minio';
import { MongoClient } from 'mongodb';
import { AckPolicy, connect, StringCodec } from 'nats';
import { describe, expect, it } from 'vitest';

// One real round trip per server of `pnpm stack up`: if one of these fails, the stack is not usable.

describe('the local stack', () => {
  it('NATS JetStream stores a message and a durable consumer reads it back', async () => {
    const nc = await connect({ servers: stackValue('NATS_URL') });
    try {
      const stream = uniqueName('SMOKE').toUpperCase();
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      const codec = StringCodec();
      const ack = await nc.jetstream().publish(`${stream}.hello`, codec.encode('world'));
      expect(ack.seq).toBe(1);
      await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
      const message = await (await nc.jetstream().consumers.get(stream, 'reader')).next();
      expect(message && codec.decode(message.data)).toBe('world');
      message?.ack();
      await jsm.streams.delete(stream);
    } finally {
      await nc.close();
    }
  });

  it('Kafka (KRaft) takes a message from an idempotent producer and a consumer group reads it', async () => {
    const kafka = new Kafka({
      clientId: 'smoke',
      brokers: stackValue('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueName('smoke');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'session-1', value: 'hello' }] });
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    expect(await received).toBe('hello');
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('the MongoDB-wire store inserts, enforces a unique index and finds sorted', async () => {
    const client = await MongoClient.connect(stackValue('MONGO_URL'));
    try {
      const db = client.db(uniqueName('smoke'));
      const sessions = db.collection<{ _id: string; n: number }>('sessions');
      await sessions.createIndex({ n: 1 }, { unique: true });
      await sessions.insertMany([
        { _id: 'b', n: 2 },
        { _id: 'a', n: 1 },
      ]);
      await expect(sessions.insertOne({ _id: 'c', n: 1 })).rejects.toThrow(/duplicate key/i);
      await sessions.updateOne({ _id: 'd' }, { $set: { n: 3 } }, { upsert: true });
      expect(await sessions.find().sort({ n: 1 }).toArray()).toEqual([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'd', n: 3 },
      ]);
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });

  it('ClickHouse answers @clickhouse/client over HTTP: DDL, insert, parameterised select, errors', async () => {
    const client = createClient({
      url: stackValue('CLICKHOUSE_URL'),
      username: stackValue('CLICKHOUSE_USER'),
      password: stackValue('CLICKHOUSE_PASSWORD'),
    });
    const database = uniqueName('smoke');
    try {
      await client.command({ query: `CREATE DATABASE ${database}` });
      const scoped = createClient({
        url: stackValue('CLICKHOUSE_URL'),
        database,
        log: { level: ClickHouseLogLevel.OFF },
      });
      await scoped.command({
        query:
          "CREATE TABLE events (id String, at DateTime64(3, 'UTC'), kind LowCardinality(String)) ENGINE = MergeTree ORDER BY at",
      });
      await scoped.insert({
        table: 'events',
        format: 'JSONEachRow',
        values: [
          { id: '1', at: '2026-01-01 10:00:00.000', kind: 'phone' },
          { id: '2', at: '2026-01-01 10:00:01.500', kind: 'face_absent' },
          { id: '3', at: '2026-01-01 10:00:02.000', kind: 'phone' },
        ],
      });
      const rows = await scoped.query({
        query:
          'SELECT kind, count() AS n FROM events WHERE at >= {since: DateTime64(3)} GROUP BY kind ORDER BY kind',
        query_params: { since: '2026-01-01 10:00:01.000' },
        format: 'JSONEachRow',
      });
      expect(await rows.json()).toEqual([
        { kind: 'face_absent', n: '1' },
        { kind: 'phone', n: '1' },
      ]);
      await expect(scoped.query({ query: 'SELECT nope FROM events' })).rejects.toMatchObject({
        code: '47',
        type: 'UNKNOWN_IDENTIFIER',
      });
      await scoped.close();
    } finally {
      await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await client.close();
    }
  });

  it('S3 object storage puts and gets an object through the minio client', async () => {
    const endpoint = new URL(stackValue('S3_ENDPOINT'));
    const s3 = new MinioClient({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port),
      useSSL: false,
      accessKey: stackValue('S3_ACCESS_KEY'),
      secretKey: stackValue('S3_SECRET_KEY'),
      region: stackValue('S3_REGION'),
    });
    const bucket = uniqueName('smoke').replaceAll('_', '-');
    await s3.makeBucket(bucket, stackValue('S3_REGION'));
    await s3.putObject(bucket, 'reports/a.txt', Buffer.from('integrity 92/100'), 16, {
      'Content-Type': 'text/plain',
    });
    const stream = await s3.getObject(bucket, 'reports/a.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('integrity 92/100');
    const url = await s3.presignedGetObject(bucket, 'reports/a.txt', 60);
    expect(await (await fetch(url)).text()).toBe('integrity 92/100');
    await s3.removeObject(bucket, 'reports/a.txt');
    await s3.removeBucket(bucket);
  });

  it('LiveKit creates, lists and deletes a room through livekit-server-sdk', async () => {
    const rooms = new RoomServiceClient(
      stackValue('LIVEKIT_URL').replace(/^ws/, 'http'),
      stackValue('LIVEKIT_API_KEY'),
      stackValue('LIVEKIT_API_SECRET'),
    );
    const name = uniqueName('smoke');
    const room = await rooms.createRoom({ name, emptyTimeout: 60 });
    expect(room.name).toBe(name);
    expect((await rooms.listRooms([name])).map((r) => r.name)).toEqual([name]);
    await rooms.deleteRoom(name);
    expect(await rooms.listRooms([name])).toEqual([]);
  });

  it("Debian's Chromium opens a page headless", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<main><h1>Proctoring</h1><button onclick="this.textContent=\'clicked\'">go</button></main>',
      );
      await page.click('button');
      expect(await page.textContent('button')).toBe('clicked');
    } finally {
      await browser.close();
    }
  });
});
