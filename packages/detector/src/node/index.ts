export { ASSETS, checkModels } from './assets.ts';
export {
  checkFrame,
  type DecodedFrame,
  decodeFrame,
  type FrameInput,
  type PixelFormat,
  snapshotJpeg,
} from './frame.ts';
export {
  createDetectorPool,
  type Detection,
  type DetectorPool,
  type DetectorPoolOptions,
  type PoolStats,
} from './pool.ts';
export type { StageTimings } from './worker.ts';
