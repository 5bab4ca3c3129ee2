import { createLogger } from '@proctor/kernel';
import { connectNats } from '@proctor/pipeline';
import { stackValue, uniqueName } from '@proctor/testkit';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoomClaims } from './claims.ts';

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectNats(stackValue('NATS_URL'), 'claims-test', createLogger('claims-test', 'silent'));
});
afterAll(() => nc?.drain());

const ROOMS = ['interview-a', 'interview-b', 'interview-c', 'interview-d', 'interview-e', 'interview-f'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('verifier room leases (NATS JetStream KV)', () => {
  it('gives every room exactly one verifier, shares rooms fairly, and moves a dead verifier’s rooms to the others', async () => {
    const bucket = uniqueName('rooms');
    const leaseMs = 2_000;
    const a = await createRoomClaims(nc, { instanceId: 'verifier-a', leaseMs, bucket });
    const b = await createRoomClaims(nc, { instanceId: 'verifier-b', leaseMs, bucket });

    // Alone, the first verifier takes every room.
    expect((await a.sync(ROOMS)).size).toBe(6);
    // A second one arrives: nothing is free yet, then the first hands back what is over its share.
    expect((await b.sync(ROOMS)).size).toBe(0);
    const kept = await a.sync(ROOMS);
    const taken = await b.sync(ROOMS);
    expect(kept.size).toBe(3);
    expect(taken.size).toBe(3);
    expect([...kept].filter((room) => taken.has(room))).toEqual([]); // one owner per room
    expect(new Set([...kept, ...taken])).toEqual(new Set(ROOMS));

    // Renewals keep the leases past their duration.
    for (let i = 0; i < 3; i++) {
      await sleep(leaseMs / 2);
      expect(await a.sync(ROOMS)).toEqual(kept);
      expect(await b.sync(ROOMS)).toEqual(taken);
    }

    // The first verifier dies (stops renewing): after one lease the second watches every room.
    await sleep(leaseMs + 500);
    expect((await b.sync(ROOMS)).size).toBe(6);

    // A room that ends is let go; a clean shutdown frees the rest at once.
    expect((await b.sync(ROOMS.slice(1))).has('interview-a')).toBe(false);
    await b.releaseAll();
    const c = await createRoomClaims(nc, { instanceId: 'verifier-c', leaseMs, bucket });
    expect((await c.sync(ROOMS.slice(1))).size).toBe(5);
    await c.releaseAll();
  });
});
