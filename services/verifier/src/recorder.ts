import { execFile, spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Logger } from '@proctor/kernel';

const run = promisify(execFile);

/**
 * Records one candidate's camera and microphone as they reach the verifier: frames and samples are written to
 * ffmpeg at a constant rate paced by the wall clock (the latest frame repeated, silence where no audio came),
 * so audio and video stay in step whatever the network did. ffmpeg writes fragmented MP4 to a local spool
 * file, which stays playable even if this process dies mid-interview; the spool is uploaded afterwards.
 */

export const RECORDING_FPS = 15;
const SAMPLE_RATE = 48_000;
/** Beyond this much unwritten input ffmpeg is not keeping up: fail the recording rather than eat memory. */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
const TICK_MS = 20;

export interface RecordingPart {
  /** Local fragmented MP4. */
  file: string;
  startedAtMs: number;
  endedAtMs: number;
  framesDroppedForSize: number;
  error?: string;
}

export interface RecorderOptions {
  ffmpegPath: string;
  file: string;
  width: number;
  height: number;
  logger: Logger;
}

/** I420 planes of one frame, as LiveKit hands them over. */
export type I420 = Uint8Array;

export function startRecorder(options: RecorderOptions) {
  const { width, height, logger } = options;
  const frameBytes = width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
  mkdirSync(dirname(options.file), { recursive: true });
  const ffmpeg = spawn(
    options.ffmpegPath,
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(RECORDING_FPS)],
      ...['-i', 'pipe:0'],
      ...['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:3'],
      ...['-map', '0:v', '-map', '1:a'],
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-crf',
        '28',
        '-g',
        String(RECORDING_FPS * 2),
      ],
      ...['-c:a', 'aac', '-b:a', '64k'],
      ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', options.file],
    ],
    { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] },
  );
  const videoIn = ffmpeg.stdin as Writable;
  const audioIn = ffmpeg.stdio[3] as Writable;
  const errors = ffmpeg.stderr as Readable;
  let stderr = '';
  errors.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  let failure: string | undefined;
  const fail = (reason: string) => {
    if (failure) return;
    failure = reason;
    logger.error({ reason }, 'recording failed');
    stop();
  };
  videoIn.on('error', (e) => fail(`ffmpeg input closed: ${e.message}`));
  audioIn.on('error', (e) => fail(`ffmpeg audio input closed: ${e.message}`));
  const exited = new Promise<number | null>((resolve) => {
    ffmpeg.on('exit', (code) => resolve(code));
    ffmpeg.on('error', (e) => {
      fail(`ffmpeg could not start (${e.message}): install ffmpeg or set FFMPEG_PATH`);
      resolve(-1);
    });
  });

  const startedAtMs = Date.now();
  let latest: Uint8Array = new Uint8Array(frameBytes).fill(16); // black until the first frame
  let framesWritten = 0;
  let samplesWritten = 0;
  let framesDroppedForSize = 0;
  const pendingAudio: Int16Array[] = [];
  let pendingSamples = 0;
  let stopped = false;

  const write = (stream: Writable, bytes: Uint8Array) => {
    stream.write(bytes);
    if (stream.writableLength > MAX_BACKLOG_BYTES) fail('ffmpeg is not keeping up with the interview');
  };

  /** Writes what the wall clock says is due: whole frames at 15 fps, samples at 48 kHz. */
  const pump = () => {
    if (stopped) return;
    const elapsed = Date.now() - startedAtMs;
    for (const due = Math.floor((elapsed * RECORDING_FPS) / 1000); framesWritten < due; framesWritten++)
      write(videoIn, latest);
    const dueSamples = Math.floor((elapsed * SAMPLE_RATE) / 1000) - samplesWritten;
    if (dueSamples <= 0) return;
    const out = new Int16Array(dueSamples); // silence unless samples arrived
    let filled = 0;
    while (filled < dueSamples && pendingAudio.length) {
      const head = pendingAudio[0] as Int16Array;
      const take = Math.min(head.length, dueSamples - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      pendingSamples -= take;
      if (take === head.length) pendingAudio.shift();
      else pendingAudio[0] = head.subarray(take);
    }
    samplesWritten += dueSamples;
    write(audioIn, new Uint8Array(out.buffer));
  };
  const timer = setInterval(pump, TICK_MS);

  function stop() {
    if (stopped) return;
    pump();
    stopped = true;
    clearInterval(timer);
    videoIn.end();
    audioIn.end();
  }

  return {
    file: options.file,
    startedAtMs,
    /** The newest camera frame (I420 at the recording's size; other sizes are counted and skipped). */
    video(frame: I420, frameWidth: number, frameHeight: number): void {
      if (frameWidth !== width || frameHeight !== height || frame.byteLength !== frameBytes) {
        framesDroppedForSize++;
        return;
      }
      latest = frame;
    },
    /** Microphone samples (mono, 48 kHz); more than a second ahead of the clock is dropped as a burst. */
    audio(samples: Int16Array): void {
      if (pendingSamples > SAMPLE_RATE) return;
      pendingAudio.push(samples);
      pendingSamples += samples.length;
    },
    /** Ends the recording and waits for ffmpeg to finish the file. */
    async finish(): Promise<RecordingPart> {
      stop();
      const code = await exited;
      const endedAtMs = Date.now();
      const error =
        failure ?? (code === 0 ? undefined : `ffmpeg exited with ${code}: ${stderr.trim().slice(-300)}`);
      return { file: options.file, startedAtMs, endedAtMs, framesDroppedForSize, error };
    },
  };
}

export type Recorder = ReturnType<typeof startRecorder>;

/** Duration of a media file in ms, read by ffprobe; null if the file is not a playable recording. */
export async function probeDurationMs(ffprobePath: string, file: string): Promise<number | null> {
  try {
    const { stdout } = await run(ffprobePath, [
      '-v',
      'error',
      '-show_entries',
      'format=duration',
      '-of',
      'csv=p=0',
      file,
    ]);
    const seconds = Number.parseFloat(stdout.trim());
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : null;
  } catch {
    return null;
  }
}

/** Where a part is spooled: the path carries everything needed to upload it after a restart. */
export const spoolPath = (spoolDir: string, orgId: string, sessionId: string, startedAtMs: number) =>
  join(spoolDir, orgId, sessionId, `${startedAtMs}.mp4`);

export const fileSize = (file: string) => statSync(file).size;
