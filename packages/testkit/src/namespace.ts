import { randomBytes } from 'node:crypto';

/**
 * A name unique to one spec file run (database, topic, bucket, room), so specs run in parallel
 * and re-runs never see each other's data. Only characters every server accepts in a name.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();
}
