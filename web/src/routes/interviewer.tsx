import { useNavigate } from '@solidjs/router';
import type { RemoteTrack, Room } from 'livekit-client';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { ErrorNotice } from '~/components/ErrorNotice';
import { ApiError, currentToken, rememberToken } from '~/lib/api';
import { flagName } from '~/lib/format';
import {
  type Alert,
  createInterview,
  endInterview,
  interviewerJoin,
  listInterviews,
  signIn,
  startInterview,
  watchAlerts,
} from '~/lib/interviews';
import { watchAsInterviewer } from '~/lib/room';

/** The interviewer's page: sign in, schedule an interview and send the link, then watch it live. */
export default function InterviewerPage(props: { sessionId?: string }) {
  const [signedIn, setSignedIn] = createSignal(!!currentToken());
  return (
    <main class="page interviewer">
      <Show when={signedIn()} fallback={<SignIn onDone={() => setSignedIn(true)} />}>
        <Show when={props.sessionId} fallback={<Schedule />}>
          {(id) => <LiveInterview sessionId={id()} />}
        </Show>
      </Show>
    </main>
  );
}

function SignIn(props: { onDone: () => void }) {
  const [error, setError] = createSignal('');
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      rememberToken(await signIn(String(form.get('email')), String(form.get('password'))));
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Sign-in failed; try again.');
    }
  };
  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <label>
        Email <input name="email" type="email" autocomplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <ErrorNotice message={error()} />
      <button type="submit" class="primary">
        Sign in
      </button>
    </form>
  );
}

function Schedule() {
  const navigate = useNavigate();
  const [interviews, { refetch }] = createResource(listInterviews);
  const [link, setLink] = createSignal<{ sessionId: string; url: string } | null>(null);
  const [error, setError] = createSignal('');
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const created = await createInterview({
        candidateName: String(form.get('candidateName')),
        candidateEmail: String(form.get('candidateEmail')),
        title: String(form.get('title')),
      });
      setLink({
        sessionId: created.sessionId,
        url: new URL(created.candidateLink, location.origin).toString(),
      });
      void refetch();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <>
      <h1>Interviews</h1>
      <form class="card" onSubmit={submit} aria-labelledby="new-title">
        <h2 id="new-title">Schedule an interview</h2>
        <label>
          Candidate name <input name="candidateName" required maxLength={120} />
        </label>
        <label>
          Candidate email <input name="candidateEmail" type="email" required />
        </label>
        <label>
          Title <input name="title" required maxLength={120} placeholder="Backend engineer, round 2" />
        </label>
        <ErrorNotice message={error()} />
        <button type="submit" class="primary">
          Create and get the candidate link
        </button>
      </form>
      <Show when={link()}>
        {(l) => (
          <section class="card" aria-labelledby="link-title">
            <h2 id="link-title">Send this link to the candidate</h2>
            <input
              class="link"
              readOnly
              value={l().url}
              aria-label="Candidate link"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" onClick={() => void navigator.clipboard.writeText(l().url)}>
              Copy link
            </button>{' '}
            <button
              type="button"
              class="primary"
              onClick={() => navigate(`/interview?role=interviewer&session=${l().sessionId}`)}
            >
              Open the interview
            </button>
          </section>
        )}
      </Show>
      <section aria-labelledby="list-title">
        <h2 id="list-title">Recent interviews</h2>
        <Show when={interviews()} fallback={<p role="status">Loading…</p>}>
          <table>
            <thead>
              <tr>
                <th scope="col">Candidate</th>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Score</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              <For
                each={interviews()}
                fallback={
                  <tr>
                    <td colSpan={5}>No interviews yet.</td>
                  </tr>
                }
              >
                {(i) => (
                  <tr>
                    <td>{i.candidateName}</td>
                    <td>{i.title}</td>
                    <td>{i.status}</td>
                    <td>{i.score ?? '—'}</td>
                    <td>
                      <a
                        href={
                          i.status === 'ended'
                            ? `/reports/${i.id}`
                            : `/interview?role=interviewer&session=${i.id}`
                        }
                      >
                        {i.status === 'ended' ? 'Report' : 'Watch'}
                      </a>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
    </>
  );
}

function LiveInterview(props: { sessionId: string }) {
  const [alerts, setAlerts] = createSignal<Alert[]>([]);
  const [toasts, setToasts] = createSignal<Alert[]>([]);
  const [status, setStatus] = createSignal<'scheduled' | 'live' | 'ended'>('scheduled');
  const [error, setError] = createSignal('');
  const [candidateVisible, setCandidateVisible] = createSignal(false);
  let videoEl!: HTMLVideoElement;
  let audioEl!: HTMLAudioElement;
  let room: Room | undefined;

  const stopAlerts = watchAlerts(
    props.sessionId,
    (alert) => {
      setAlerts((list) => [alert, ...list].slice(0, 200));
      if (alert.kind === 'sessionEnded') setStatus('ended');
      if (alert.kind === 'sessionStarted') setStatus('live');
      if (alert.phase !== 'END' && !alert.kind.startsWith('session')) {
        setToasts((list) => [...list, alert].slice(-3));
        setTimeout(() => setToasts((list) => list.filter((t) => t.eventId !== alert.eventId)), 6000);
      }
    },
    (e) => setError(e.message),
  );

  void (async () => {
    try {
      const grant = await interviewerJoin(props.sessionId);
      room = await watchAsInterviewer(
        grant.url,
        grant.token,
        (track: RemoteTrack) => {
          if (track.kind === 'video') {
            track.attach(videoEl);
            setCandidateVisible(true);
          } else {
            track.attach(audioEl);
          }
        },
        () => setCandidateVisible(false),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  })();

  onCleanup(() => {
    stopAlerts();
    void room?.disconnect();
  });

  const act = async (what: 'start' | 'end') => {
    try {
      if (what === 'start') await startInterview(props.sessionId);
      else await endInterview(props.sessionId);
      setStatus(what === 'start' ? 'live' : 'ended');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <>
      <h1>Live interview</h1>
      <ErrorNotice message={error()} />
      <div class="live">
        <div class="video-panel">
          <video
            ref={videoEl}
            autoplay
            playsinline
            muted
            aria-label="Candidate's camera"
            data-testid="candidate-video"
          />
          {/* Live audio of the call: there is no caption track to offer. */}
          <audio ref={audioEl} autoplay>
            <track kind="captions" />
          </audio>
          <Show when={!candidateVisible()}>
            <p class="video-empty" role="status">
              Waiting for the candidate to join…
            </p>
          </Show>
          <div class="controls">
            <Show when={status() === 'scheduled'}>
              <button type="button" class="primary" onClick={() => void act('start')}>
                Start the interview
              </button>
            </Show>
            <Show when={status() === 'live'}>
              <button type="button" class="danger" onClick={() => void act('end')}>
                End the interview
              </button>
            </Show>
            <Show when={status() === 'ended'}>
              <a class="button primary" href={`/reports/${props.sessionId}`}>
                Open the report
              </a>
            </Show>
          </div>
        </div>
        <section class="timeline-panel" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Events ({alerts().length})</h2>
          <ol class="alerts" aria-live="polite">
            <For each={alerts()}>
              {(a) => (
                <li classList={{ end: a.phase === 'END', verifier: a.source === 'verifier' }}>
                  <time datetime={a.occurredAt}>{new Date(a.occurredAt).toLocaleTimeString()}</time>{' '}
                  {alertText(a)}
                </li>
              )}
            </For>
          </ol>
        </section>
      </div>
      <div class="toasts" role="alert">
        <For each={toasts()}>{(t) => <div class="toast">{alertText(t)}</div>}</For>
      </div>
    </>
  );
}

const KIND_FLAG: Record<string, string> = {
  lookingAway: 'FOCUS_LOST',
  faceAbsent: 'FACE_ABSENT',
  multipleFaces: 'MULTIPLE_FACES',
  eyesClosed: 'EYES_CLOSED',
  audioDetected: 'VOICE',
  tabHidden: 'TAB_HIDDEN',
  windowBlurred: 'WINDOW_BLURRED',
  fullscreenExited: 'FULLSCREEN_EXITED',
  clipboardPasted: 'CLIPBOARD_PASTED',
  networkChanged: 'NETWORK_LOST',
  disagreement: 'DISAGREEMENT',
};

/** What the verifier saw that the browser did not report, in words. */
function disagreementText(d: { kind?: string; observed?: string } | undefined): string {
  if (d?.kind === 'DISAGREEMENT_KIND_CLIENT_SILENT')
    return "Server check: the candidate's browser stopped reporting";
  const observed = d?.observed ?? '';
  const what = observed.startsWith('OBJECT_CLASS_')
    ? observed.replace('OBJECT_CLASS_', '').toLowerCase()
    : flagName(observed === 'LOOKING_AWAY' ? 'FOCUS_LOST' : observed).toLowerCase();
  return `Server check: browser did not report ${what}`;
}

function alertText(a: Alert): string {
  const event = a.event as {
    objectDetected?: { label?: string; objectClass?: string };
    disagreement?: { kind?: string; observed?: string };
  };
  if (a.kind === 'disagreement') return disagreementText(event.disagreement);
  const what =
    a.kind === 'objectDetected'
      ? `Object: ${event.objectDetected?.label || event.objectDetected?.objectClass?.replace('OBJECT_CLASS_', '').toLowerCase() || 'unknown'}`
      : a.kind === 'sessionStarted'
        ? 'Interview started'
        : a.kind === 'sessionEnded'
          ? 'Interview ended'
          : flagName(KIND_FLAG[a.kind] ?? a.kind);
  const phase = a.phase === 'END' ? ' — over' : '';
  const by = a.source === 'verifier' ? ' (server check)' : '';
  return `${what}${phase}${by}`;
}
