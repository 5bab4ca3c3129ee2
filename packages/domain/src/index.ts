export * from './alerts.ts';
export * from './events.ts';
export * from './policy.ts';
export * from './report.ts';
export * from './rooms.ts';
export * from './session.ts';
export { type PayloadInit, timeline } from './testing.ts';
