/** Why a frame could not be analysed. Each says what to do; none of them stops the caller's loop. */
export type DetectorErrorCode =
  | 'EMPTY_FRAME'
  | 'CORRUPT_FRAME'
  | 'UNSUPPORTED_PIXEL_FORMAT'
  | 'FRAME_SIZE_MISMATCH'
  | 'MODEL_MISSING'
  | 'MODEL_UNLOADABLE'
  | 'POOL_SATURATED'
  | 'POOL_CLOSED'
  | 'WORKER_CRASHED';

export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(
    readonly code: DetectorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isDetectorError = (error: unknown, code?: DetectorErrorCode): error is DetectorError =>
  error instanceof DetectorError && (code === undefined || error.code === code);
