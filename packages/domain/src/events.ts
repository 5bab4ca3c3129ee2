import {
  create,
  fromBinary,
  fromJson,
  type JsonValue,
  type MessageInitShape,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  type EventEnvelope,
  type EventEnvelopeJson,
  EventEnvelopeSchema,
  Phase,
  Source,
  type StoredEvent,
  StoredEventSchema,
} from '@proctor/proto';
import { validate as uuidValidate, version as uuidVersion, v7 as uuidv7 } from 'uuid';

export type { EventEnvelope, EventEnvelopeJson, StoredEvent } from '@proctor/proto';

/** One event's payload as protobuf JSON (`{ tabHidden: {...} }`): what a producer writes, typed by the proto. */
export type EventPayloadJson = Omit<
  EventEnvelopeJson,
  | 'eventId'
  | 'sessionId'
  | 'orgId'
  | 'producerId'
  | 'producerSeq'
  | 'occurredAt'
  | 'receivedAt'
  | 'source'
  | 'schemaVersion'
>;

/** An event as POST /api/logs takes it: the envelope's header fields a producer sets, and one payload. */
export type ClientEventJson = Required<
  Pick<EventEnvelopeJson, 'eventId' | 'sessionId' | 'producerId' | 'producerSeq' | 'occurredAt'>
> &
  EventPayloadJson;
export {
  AudioKind,
  DisagreementKind,
  ObjectClass,
  Phase,
  RecordingState,
  ReviewDecision,
  Source,
} from '@proctor/proto';

/** The name of an event's payload, e.g. `lookingAway`: the event's type. */
export type EventKind = NonNullable<EventEnvelope['payload']['case']>;

export const CURRENT_SCHEMA_VERSION = 1;

/** Limits of what one client may send; documented in services/ingestion/README.md. */
export const LIMITS = {
  /** Events in one POST /api/logs batch. */
  maxEventsPerBatch: 500,
  /** Bytes of one POST /api/logs body, on every path to it (ingestion, the local gateway route, the ingress). */
  maxBatchBytes: 2 * 1024 * 1024,
  /** Bytes of one event as JSON (a small evidence snapshot fits). */
  maxEventBytes: 64 * 1024,
  /** How far ahead of the server's clock a client's occurredAt may be. */
  maxClockSkewMs: 30_000,
  /** How old an event may be (an outbox that was offline for a day still delivers). */
  maxAgeMs: 7 * 24 * 3600_000,
};

/** Events a client may send; lifecycle and reviews come from the platform itself. */
const CLIENT_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'faceAbsent',
  'multipleFaces',
  'lookingAway',
  'eyesClosed',
  'objectDetected',
  'audioDetected',
  'tabHidden',
  'windowBlurred',
  'fullscreenExited',
  'clipboardPasted',
  'networkChanged',
  'detectorStatus',
]);

export function kindOf(event: EventEnvelope): EventKind | undefined {
  return event.payload.case;
}

export function newEventId(): string {
  return uuidv7();
}

export function isUuidV7(value: string): boolean {
  return uuidValidate(value) && uuidVersion(value) === 7;
}

export interface EventProblem {
  index: number;
  eventId?: string;
  code:
    | 'MALFORMED'
    | 'UNKNOWN_TYPE'
    | 'OVERSIZED'
    | 'WRONG_SESSION'
    | 'FUTURE_DATED'
    | 'TOO_OLD'
    | 'FORBIDDEN_TYPE';
  message: string;
}

export interface ClientEventContext {
  sessionId: string;
  orgId: string;
  now: Date;
}

/**
 * Validates one event as a browser sends it (protobuf JSON) and returns it completed by the server:
 * received-at, organisation and schema version are the server's, never the client's.
 */
export function acceptClientEvent(
  raw: unknown,
  index: number,
  context: ClientEventContext,
): { event: EventEnvelope } | { problem: EventProblem } {
  const eventId =
    typeof (raw as { eventId?: unknown })?.eventId === 'string'
      ? (raw as { eventId: string }).eventId
      : undefined;
  const problem = (code: EventProblem['code'], message: string) => ({
    problem: { index, eventId, code, message },
  });

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return problem('MALFORMED', 'an event must be a JSON object');
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > LIMITS.maxEventBytes)
    return problem('OVERSIZED', `event is ${size} bytes; the limit is ${LIMITS.maxEventBytes}`);

  let event: EventEnvelope;
  try {
    event = fromJson(EventEnvelopeSchema, raw as JsonValue, { ignoreUnknownFields: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknownKey =
      /cannot decode message proctor\.events\.v1\.EventEnvelope from JSON: key "([^"]+)" is unknown/.exec(
        message,
      );
    return unknownKey
      ? problem('UNKNOWN_TYPE', `unknown field or event type "${unknownKey[1]}"`)
      : problem('MALFORMED', message);
  }

  const kind = kindOf(event);
  if (!kind) return problem('UNKNOWN_TYPE', 'the event has no payload (e.g. "lookingAway": {...})');
  if (!CLIENT_KINDS.has(kind))
    return problem('FORBIDDEN_TYPE', `"${kind}" events come from the platform, not from clients`);
  if (!isUuidV7(event.eventId)) return problem('MALFORMED', 'eventId must be a UUIDv7');
  if (event.sessionId !== context.sessionId) {
    return problem(
      'WRONG_SESSION',
      `event is for session "${event.sessionId}" but the token is for "${context.sessionId}"`,
    );
  }
  if (!event.producerId || event.producerSeq === 0n)
    return problem('MALFORMED', 'producerId and producerSeq (from 1) are required');
  if (!event.occurredAt) return problem('MALFORMED', 'occurredAt is required');
  const occurred = timestampDate(event.occurredAt).getTime();
  if (occurred > context.now.getTime() + LIMITS.maxClockSkewMs) {
    return problem(
      'FUTURE_DATED',
      `occurredAt ${timestampDate(event.occurredAt).toISOString()} is in the future`,
    );
  }
  if (occurred < context.now.getTime() - LIMITS.maxAgeMs)
    return problem('TOO_OLD', 'occurredAt is more than 7 days old');
  const phase = phaseOf(event);
  if (phase === Phase.UNSPECIFIED && needsPhase(kind))
    return problem('MALFORMED', `"${kind}" needs a phase (START, END or INSTANT)`);

  event.source = Source.BROWSER;
  event.orgId = context.orgId;
  event.receivedAt = timestampFromDate(context.now);
  event.schemaVersion = CURRENT_SCHEMA_VERSION;
  return { event };
}

const UNPHASED: ReadonlySet<EventKind> = new Set<EventKind>([
  'sessionCreated',
  'sessionStarted',
  'sessionEnded',
  'fullscreenExited',
  'clipboardPasted',
  'verifierObservation',
  'disagreement',
  'flagReviewed',
  'recordingChanged',
  'detectorStatus',
]);

function needsPhase(kind: EventKind): boolean {
  return !UNPHASED.has(kind);
}

/** The phase of a phased event; unphased events are instants. */
export function phaseOf(event: EventEnvelope): Phase {
  const value = event.payload.value as { phase?: Phase } | undefined;
  if (!event.payload.case) return Phase.UNSPECIFIED;
  return needsPhase(event.payload.case) ? (value?.phase ?? Phase.UNSPECIFIED) : Phase.INSTANT;
}

/** A platform event (lifecycle, review, recording), completed like an accepted client event. */
export function systemEvent(
  sessionId: string,
  orgId: string,
  payload: MessageInitShape<typeof EventEnvelopeSchema>['payload'],
  options: { now?: Date; producerId?: string; eventId?: string; source?: Source } = {},
): EventEnvelope {
  const now = options.now ?? new Date();
  return create(EventEnvelopeSchema, {
    eventId: options.eventId ?? newEventId(),
    sessionId,
    orgId,
    producerId: options.producerId ?? 'system',
    producerSeq: BigInt(now.getTime()),
    occurredAt: timestampFromDate(now),
    receivedAt: timestampFromDate(now),
    source: options.source ?? Source.SYSTEM,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    payload,
  });
}

// Binary on Kafka (compact, ignores unknown fields so old consumers read new events), JSON at the edges.
export const encodeEvent = (event: EventEnvelope): Uint8Array => toBinary(EventEnvelopeSchema, event);
export const decodeEvent = (bytes: Uint8Array): EventEnvelope =>
  upcast(fromBinary(EventEnvelopeSchema, bytes));
export const encodeStored = (stored: StoredEvent): Uint8Array => toBinary(StoredEventSchema, stored);
export const decodeStored = (bytes: Uint8Array): StoredEvent => {
  const stored = fromBinary(StoredEventSchema, bytes);
  if (stored.event) stored.event = upcast(stored.event);
  return stored;
};
export const eventToJson = (event: EventEnvelope): JsonValue => toJson(EventEnvelopeSchema, event);
export const storedEvent = (event: EventEnvelope, sessionSeq: bigint, globalPosition: bigint): StoredEvent =>
  create(StoredEventSchema, { event, sessionSeq, globalPosition });

/** Brings events written with an older schema version to the current shape. Version 1 is the first. */
function upcast(event: EventEnvelope): EventEnvelope {
  if (event.schemaVersion === 0) event.schemaVersion = CURRENT_SCHEMA_VERSION;
  return event;
}

export const occurredAtMs = (event: EventEnvelope): number =>
  event.occurredAt ? timestampDate(event.occurredAt).getTime() : 0;
export const receivedAtMs = (event: EventEnvelope): number =>
  event.receivedAt ? timestampDate(event.receivedAt).getTime() : 0;
