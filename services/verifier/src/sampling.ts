/**
 * How often each room is sampled. The pool can analyse `capacityFps` frames per second in all; when the rooms
 * together would ask for more (with some headroom for bursts), every room gets the same lower rate instead of
 * frames queueing without bound.
 */
export interface SamplingPlan {
  /** Frames per second each room is sampled at now. */
  perRoomFps: number;
  /** True when the rate is below the configured one because of load. */
  reduced: boolean;
  capacityFps: number;
}

/** Keep this share of the pool for bursts (object checks, a room joining). */
const HEADROOM = 0.8;

export function planSampling(options: {
  configuredFps: number;
  rooms: number;
  capacityFps: number;
}): SamplingPlan {
  const { configuredFps, rooms, capacityFps } = options;
  if (rooms === 0) return { perRoomFps: configuredFps, reduced: false, capacityFps };
  const fairFps = (capacityFps * HEADROOM) / rooms;
  return fairFps < configuredFps
    ? { perRoomFps: fairFps, reduced: true, capacityFps }
    : { perRoomFps: configuredFps, reduced: false, capacityFps };
}

/**
 * The wait before the next sample: the mean gap (1 / fps) varied uniformly by ±`jitter` of itself, so a
 * client cannot tell which frames will be checked.
 */
export function nextSampleDelayMs(fps: number, jitter: number, random: () => number = Math.random): number {
  const mean = 1000 / fps;
  return mean * (1 + jitter * (2 * random() - 1));
}

/** Frames per second the pool sustains, from a moving average of how long one frame takes on a thread. */
export function createCapacityEstimate(threads: number, initialFrameMs = 150) {
  let frameMs = initialFrameMs;
  return {
    observe(ms: number): void {
      frameMs = 0.9 * frameMs + 0.1 * ms;
    },
    fps(): number {
      return (threads * 1000) / frameMs;
    },
  };
}
