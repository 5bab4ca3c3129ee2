import type { Room } from 'livekit-client';
import { RoomEvent } from 'livekit-client';
import { createSignal, Match, onCleanup, onMount, Show, Switch } from 'solid-js';
import { ErrorNotice } from '~/components/ErrorNotice';
import { ApiError, currentToken } from '~/lib/api';
import { watchAudio } from '~/lib/audio';
import { createEventFactory } from '~/lib/client-events';
import { type DetectionHandle, startDetection } from '~/lib/detection';
import { candidateJoin } from '~/lib/interviews';
import { frameBrightness, MediaAccessError, openCameraAndMicrophone } from '~/lib/media';
import { type ClientEvent, createOutbox, type Outbox, type OutboxState, sendToIngestion } from '~/lib/outbox';
import { openIdbOutbox } from '~/lib/outbox-idb';
import { joinAsCandidate } from '~/lib/room';
import { watchPageSignals } from '~/lib/signals';

type Step = 'consent' | 'devices' | 'joining' | 'live' | 'ended' | 'error';

/**
 * The candidate's page: consent, a device check, then the interview
 * (camera and microphone published to the room, page and audio signals as events through the outbox).
 */
export default function CandidatePage(props: { sessionId: string }) {
  const [step, setStep] = createSignal<Step>('consent');
  const [error, setError] = createSignal('');
  const [consent, setConsent] = createSignal(false);
  const [brightness, setBrightness] = createSignal(0);
  const [faces, setFaces] = createSignal<number | null>(null);
  const [detectorError, setDetectorError] = createSignal('');
  const [outboxState, setOutboxState] = createSignal<OutboxState>({
    pending: 0,
    retrying: false,
    lastError: null,
    fatal: null,
  });
  let video!: HTMLVideoElement;
  let stream: MediaStream | undefined;
  let room: Room | undefined;
  let detection: DetectionHandle | undefined;
  let outbox: Outbox | undefined;
  const stops: (() => void)[] = [];

  const fail = (message: string) => {
    setError(message);
    setStep('error');
  };

  onMount(() => {
    if (!currentToken())
      fail('This link is incomplete: it carries no access token. Open the full link from your invitation.');
  });

  async function checkDevices() {
    try {
      stream = await openCameraAndMicrophone();
      setStep('devices');
      video.srcObject = stream;
      await video.play();
      const timer = setInterval(() => setBrightness(Math.round(frameBrightness(video))), 700);
      stops.push(() => clearInterval(timer));
    } catch (e) {
      fail(e instanceof MediaAccessError ? e.message : `The camera could not be started: ${String(e)}`);
    }
  }

  async function join() {
    const token = currentToken();
    if (!stream || !token) return;
    setStep('joining');
    try {
      const factory = createEventFactory(props.sessionId);
      const store = await openIdbOutbox(props.sessionId);
      outbox = createOutbox({
        store,
        send: (events) => sendToIngestion('/api/logs', token, props.sessionId, events),
        onStateChange: setOutboxState,
      });
      // Whatever a previous visit (a reload, a crash) left unsent goes first.
      void outbox.flush();
      const emit = (event: ClientEvent) => void outbox?.enqueue([event]);
      const grant = await candidateJoin(props.sessionId);
      const joined = await joinAsCandidate(grant.url, grant.token, stream);
      room = joined.room;
      room.on(RoomEvent.Disconnected, () => void finish());
      detection = startDetection(video, factory, emit, {
        onFrame: (frame) => setFaces(frame.faces.length),
        onError: (message) => setDetectorError(`Face detection stopped: ${message}`),
      });
      stops.push(watchPageSignals(factory, emit));
      stops.push(watchAudio(stream, factory, emit));
      const online = () => void outbox?.flush();
      window.addEventListener('online', online);
      stops.push(() => window.removeEventListener('online', online));
      setStep('live');
    } catch (e) {
      cleanup();
      if (
        e instanceof ApiError &&
        (e.status === 401 || e.status === 403 || e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')
      ) {
        fail(
          'This interview link has expired or belongs to another interview. Ask the interviewer for a new link.',
        );
      } else if (e instanceof ApiError && e.code === 'NOT_FOUND') {
        fail('This interview does not exist or was cancelled.');
      } else {
        fail(e instanceof Error ? e.message : String(e));
      }
    }
  }

  function cleanup() {
    for (const stop of stops.splice(0)) stop();
    detection?.stop();
    void room?.disconnect();
  }

  async function finish() {
    if (step() === 'ended') return;
    cleanup();
    setStep('ended');
    await outbox?.flushAll();
    for (const track of stream?.getTracks() ?? []) track.stop();
  }

  onCleanup(cleanup);

  return (
    <main class="page candidate">
      <h1>Your interview</h1>
      <Switch>
        <Match when={step() === 'error'}>
          <section class="notice error" role="alert">
            <h2>We could not start the interview</h2>
            <p>{error()}</p>
          </section>
        </Match>
        <Match when={step() === 'consent'}>
          <section aria-labelledby="consent-title">
            <h2 id="consent-title">Before you start</h2>
            <p>
              This interview is proctored. Your camera and microphone are streamed to the interviewer and
              recorded for audit. Software checks, in your browser and on our servers, whether you look away
              from the screen, leave the camera's view, are joined by someone else, or use a phone, books,
              notes or other devices, and whether you leave this tab. The interviewer sees these events live
              and in a report.
            </p>
            <label class="check">
              <input
                type="checkbox"
                checked={consent()}
                onChange={(e) => setConsent(e.currentTarget.checked)}
              />{' '}
              I understand and agree to be proctored during this interview.
            </label>
            <button type="button" class="primary" disabled={!consent()} onClick={() => void checkDevices()}>
              Check my camera and microphone
            </button>
          </section>
        </Match>
      </Switch>
      <Show when={step() === 'devices' || step() === 'joining' || step() === 'live'}>
        <section class="stage" aria-labelledby="stage-title">
          <h2 id="stage-title">{step() === 'live' ? 'You are in the interview' : 'Camera check'}</h2>
          <div class="preview">
            <video ref={video} muted playsinline aria-label="Your camera" />
          </div>
          <Show when={step() === 'devices'}>
            <p role="status">
              <Show when={brightness() > 0 && brightness() < 60} fallback="The picture looks fine.">
                Your face may be too dark: add light in front of you.
              </Show>
            </p>
            <p>
              When you join, look at the screen naturally for a few seconds: this measures your neutral head
              position.
            </p>
            <button type="button" class="primary" onClick={() => void join()}>
              Join the interview
            </button>
          </Show>
          <Show when={step() === 'joining'}>
            <p role="status">Connecting to the interview…</p>
          </Show>
          <Show when={step() === 'live'}>
            <p role="status" class="status-line">
              Connected · monitoring active
              <Show when={faces() !== null}>
                {' '}
                ·{' '}
                {faces() === 1
                  ? 'face in view'
                  : faces() === 0
                    ? 'no face in view'
                    : `${faces()} faces in view`}
              </Show>
              <Show when={outboxState().pending > 0}>
                {' '}
                · {outboxState().pending} events waiting to be sent
              </Show>
              <Show when={outboxState().retrying}> · reconnecting…</Show>
            </p>
            <ErrorNotice message={outboxState().fatal} />
            <ErrorNotice message={detectorError()} />
          </Show>
        </section>
      </Show>
      <Show when={step() === 'ended'}>
        <section class="notice good" role="status">
          <h2>The interview has ended</h2>
          <p>
            Thank you.{' '}
            <Show when={outboxState().pending > 0} fallback="Everything was sent.">
              Sending the last {outboxState().pending} events…
            </Show>
          </p>
        </section>
      </Show>
    </main>
  );
}
