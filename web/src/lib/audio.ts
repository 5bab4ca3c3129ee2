import { createEpisodes, type EventFactory } from './client-events.ts';
import type { ClientEvent } from './outbox.ts';

export interface AudioOptions {
  /** Seconds of calibration at start: the room's own noise floor. */
  calibrationMs?: number;
  /** How far above the floor (dB) counts as sound. */
  marginDb?: number;
  /** How long sound must last before it is an event. */
  minDurationMs?: number;
}

/** Classifies one analyser frame: is it louder than the floor, and is its energy mostly in the speech band? */
export function classifyFrame(
  levelDb: number,
  speechRatio: number,
  floorDb: number,
  marginDb: number,
): 'quiet' | 'voice' | 'noise' {
  if (levelDb < floorDb + marginDb) return 'quiet';
  return speechRatio >= 0.6 ? 'voice' : 'noise';
}

/**
 * Listens to the microphone with Web Audio: after calibrating the noise floor, sustained voice or noise
 * above it becomes an `audioDetected` episode. Returns a stop function.
 */
export function watchAudio(
  stream: MediaStream,
  factory: EventFactory,
  emit: (e: ClientEvent) => void,
  options: AudioOptions = {},
): () => void {
  const calibrationMs = options.calibrationMs ?? 3000;
  const marginDb = options.marginDb ?? 15;
  const minDurationMs = options.minDurationMs ?? 1500;
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const started = performance.now();
  const floor: number[] = [];
  const episodes = createEpisodes();
  let candidate: { kind: 'voice' | 'noise'; since: number } | null = null;
  let quietSince = 0;

  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    analyser.getFloatFrequencyData(spectrum);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const levelDb = 20 * Math.log10(Math.sqrt(sum / samples.length) + 1e-9);
    let speech = 0;
    let total = 0;
    spectrum.forEach((db, i) => {
      const power = 10 ** (db / 10);
      total += power;
      const hz = i * binHz;
      if (hz >= 300 && hz <= 3400) speech += power;
    });
    const now = performance.now();
    if (now - started < calibrationMs) {
      floor.push(levelDb);
      return;
    }
    const floorDb = floor.length ? floor.reduce((a, b) => a + b, 0) / floor.length : -60;
    const kind = classifyFrame(levelDb, total > 0 ? speech / total : 0, floorDb, marginDb);
    if (kind === 'quiet') {
      candidate = null;
      quietSince ||= now;
      // Half a second of quiet ends an episode: a pause between words does not.
      if (now - quietSince > 500) {
        for (const k of ['voice', 'noise'] as const) {
          const ended = episodes.end(k);
          if (ended)
            emit(
              factory.make({
                audioDetected: {
                  phase: 'PHASE_END',
                  episodeId: ended.id,
                  kind: k === 'voice' ? 'AUDIO_KIND_VOICE' : 'AUDIO_KIND_NOISE',
                  durationMs: String(ended.durationMs),
                },
              }),
            );
        }
      }
      return;
    }
    quietSince = 0;
    if (!candidate || candidate.kind !== kind) candidate = { kind, since: now };
    if (now - candidate.since >= minDurationMs) {
      const id = episodes.start(kind);
      if (id)
        emit(
          factory.make({
            audioDetected: {
              phase: 'PHASE_START',
              episodeId: id,
              kind: kind === 'voice' ? 'AUDIO_KIND_VOICE' : 'AUDIO_KIND_NOISE',
              levelDb,
            },
          }),
        );
    }
  };
  const interval = setInterval(tick, 100);
  return () => {
    clearInterval(interval);
    source.disconnect();
    void context.close();
  };
}
