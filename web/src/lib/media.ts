/** Camera and microphone, with errors a candidate can act on. */
export class MediaAccessError extends Error {
  override name = 'MediaAccessError';
}

export async function openCameraAndMicrophone(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new MediaAccessError(
      'This browser cannot use a camera here. Use a current Chrome or Edge, over https.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 25 } },
      audio: { echoCancellation: true, noiseSuppression: false },
    });
  } catch (error) {
    const name = (error as DOMException)?.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new MediaAccessError(
        'Camera and microphone access was denied. Allow both for this site in the browser (the camera icon in the address bar), then reload the page.',
      );
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      throw new MediaAccessError('No camera or microphone was found. Connect one, then reload the page.');
    }
    if (name === 'NotReadableError') {
      throw new MediaAccessError(
        'The camera is in use by another application. Close it, then reload the page.',
      );
    }
    throw new MediaAccessError(`The camera could not be started (${name ?? String(error)}).`);
  }
}

/** Mean luminance (0–255) of the current video frame: below ~60 the face detector struggles. */
export function frameBrightness(video: HTMLVideoElement, canvas = document.createElement('canvas')): number {
  const width = 64;
  const height = 48;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx || video.readyState < 2) return 0;
  ctx.drawImage(video, 0, 0, width, height);
  const { data } = ctx.getImageData(0, 0, width, height);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4)
    sum += 0.2126 * (data[i] ?? 0) + 0.7152 * (data[i + 1] ?? 0) + 0.0722 * (data[i + 2] ?? 0);
  return sum / (width * height);
}
