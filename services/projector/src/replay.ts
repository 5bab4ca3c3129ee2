import type { Logger } from '@proctor/kernel';
import type { EventStore } from '@proctor/pipeline';
import type { Projection } from './projections.ts';

/**
 * Rebuilds read models from the append-only store: clears each, then applies every stored event in global
 * order. Run it with the projector stopped; on restart the consumers carry on, and anything they re-read is
 * ignored by the projections' checkpoints.
 */
export async function replay(store: EventStore, projections: Projection[], logger: Logger): Promise<number> {
  const total = await store.count();
  for (const projection of projections) await projection.clear();
  let done = 0;
  let lastLogged = 0;
  for await (const page of store.readAll()) {
    for (const projection of projections) await projection.apply(page);
    done += page.length;
    if (done - lastLogged >= 10_000 || done === total) {
      logger.info({ done, total, percent: total ? Math.round((done / total) * 100) : 100 }, 'replaying');
      lastLogged = done;
    }
  }
  return done;
}
