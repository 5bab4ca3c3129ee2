import sharp from 'sharp';
import { DetectorError } from '../errors.ts';

/**
 * A frame as callers have it: an encoded image (JPEG/PNG/WebP, e.g. a snapshot) or raw pixels (e.g. a
 * LiveKit video frame converted to RGBA).
 */
export type FrameInput =
  | { kind: 'encoded'; data: Uint8Array }
  | { kind: 'raw'; format: PixelFormat; width: number; height: number; data: Uint8Array };

export type PixelFormat = 'rgba' | 'rgb' | 'gray';
const CHANNELS: Record<PixelFormat, 1 | 3 | 4> = { gray: 1, rgb: 3, rgba: 4 };

/** Models see at most 640×480: larger frames cost time and add nothing at interview distance. */
export const MAX_WIDTH = 640;
export const MAX_HEIGHT = 480;
const MAX_DIMENSION = 8192;

/** RGB pixels ready for the models, plus a small JPEG of the same frame kept as evidence. */
export interface DecodedFrame {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Checks a frame before any work is spent on it; throws a `DetectorError` that names the problem. */
export function checkFrame(input: FrameInput): void {
  if (!input.data || input.data.byteLength === 0)
    throw new DetectorError('EMPTY_FRAME', 'The frame has no bytes: skip it and send the next one');
  if (input.kind === 'encoded') return;
  const channels = CHANNELS[input.format];
  if (channels === undefined)
    throw new DetectorError(
      'UNSUPPORTED_PIXEL_FORMAT',
      `Pixel format "${String(input.format)}" is not supported: convert the frame to rgba, rgb or gray first`,
    );
  const { width, height } = input;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new DetectorError('EMPTY_FRAME', `The frame is ${width}×${height}: it needs a positive size`);
  if (width > MAX_DIMENSION || height > MAX_DIMENSION)
    throw new DetectorError(
      'FRAME_SIZE_MISMATCH',
      `The frame is ${width}×${height}: at most ${MAX_DIMENSION} a side`,
    );
  const expected = width * height * channels;
  if (input.data.byteLength !== expected)
    throw new DetectorError(
      'FRAME_SIZE_MISMATCH',
      `A ${width}×${height} ${input.format} frame has ${expected} bytes, this one has ${input.data.byteLength}: check the pixel format and size`,
    );
}

/** Decodes and downsizes a frame to RGB within 640×480. */
export async function decodeFrame(input: FrameInput): Promise<DecodedFrame> {
  checkFrame(input);
  const image =
    input.kind === 'encoded'
      ? sharp(input.data, { failOn: 'error' })
      : sharp(input.data, {
          raw: { width: input.width, height: input.height, channels: CHANNELS[input.format] },
        });
  try {
    const { data, info } = await image
      .resize(MAX_WIDTH, MAX_HEIGHT, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (error) {
    throw new DetectorError(
      'CORRUPT_FRAME',
      `The frame could not be decoded (${error instanceof Error ? error.message : String(error)}): skip it and send the next one`,
    );
  }
}

/** A small JPEG of a frame, attached to events as evidence. */
export async function snapshotJpeg(frame: DecodedFrame, width = 320): Promise<Uint8Array> {
  const data = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(width, undefined, { withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
