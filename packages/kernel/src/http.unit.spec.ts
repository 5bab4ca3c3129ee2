import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from './errors.ts';
import { healthModule } from './health.ts';
import { startHttpService } from './http.ts';
import { createLogger } from './logger.ts';

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: { name?: unknown }) {
    if (typeof body?.name !== 'string')
      throw new ValidationError('name must be a string', [{ field: 'name' }]);
    return { created: body.name };
  }

  @Get('missing')
  missing() {
    throw new NotFoundError('no such thing');
  }

  @Get('boom')
  boom() {
    throw new Error('secret internal detail');
  }
}

let dependencyUp = true;

@Module({
  imports: [
    healthModule({
      database: async () => {
        if (!dependencyUp) throw new Error('connection refused');
      },
    }),
  ],
  controllers: [ThingsController],
})
class TestModule {}

let app: NestFastifyApplication;
let base: string;

beforeAll(async () => {
  app = await startHttpService({
    module: TestModule,
    logger: createLogger('test', 'silent'),
    host: '127.0.0.1',
    port: 0,
    bodyLimit: 1024,
  });
  const address = app.getHttpServer().address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => app.close());

const post = (body: string) =>
  fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('a kernel HTTP service', () => {
  it('answers liveness and readiness, and reports the failing dependency', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({
      ready: true,
      checks: { database: { ok: true } },
    });
    dependencyUp = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      ready: false,
      checks: { database: { ok: false, error: 'connection refused' } },
    });
    dependencyUp = true;
  });

  it('maps named errors to their status and code, with details', async () => {
    const bad = await post('{"name":3}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'BAD_USER_INPUT', message: 'name must be a string', details: [{ field: 'name' }] },
    });
    const missing = await fetch(`${base}/things/missing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('rejects malformed JSON and oversized bodies with the same error shape', async () => {
    const malformed = await post('{"name":');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('BAD_USER_INPUT');
    const oversized = await post(JSON.stringify({ name: 'x'.repeat(2000) }));
    expect(oversized.status).toBe(413);
    expect((await oversized.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('hides unexpected errors from the client', async () => {
    const res = await fetch(`${base}/things/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INTERNAL', message: 'Internal error; it has been logged' },
    });
  });
});
