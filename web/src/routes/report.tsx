import { useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, type JSX, Match, Show, Switch } from 'solid-js';
import { ApiError, fetchReport, type Report, type ReportFlag } from '~/lib/api';
import { clock, dateTime, flagName, scoreBand, seconds } from '~/lib/format';
import { exportReport, fetchRecordingUrl, reviewFlag } from '~/lib/interviews';

/**
 * The proctoring report. The PDF is printed from this page (`?print=1`): it signals it is complete by
 * setting `data-report-ready` on <html>, and the PDF renderer waits for that.
 */
export default function ReportPage() {
  const params = useParams<{ sessionId: string }>();
  const [search] = useSearchParams();
  const printing = () => search.print === '1';
  const [report, { refetch }] = createResource(() => params.sessionId, fetchReport);

  createEffect(() => {
    if (report.state === 'ready' || report.state === 'errored') {
      document.title =
        report.state === 'ready' ? `Proctoring report — ${report()?.candidate.name}` : 'Report unavailable';
      // Wait for the browser to lay out the rendered report before the PDF renderer proceeds.
      requestAnimationFrame(() => {
        document.documentElement.dataset.reportReady = report.state === 'ready' ? 'true' : 'error';
      });
    }
  });

  return (
    <main class="report" classList={{ printing: printing() }}>
      <Switch>
        <Match when={report.loading}>
          <p role="status">Loading the report…</p>
        </Match>
        <Match when={report.error}>
          <ReportError error={report.error} />
        </Match>
        <Match when={report()}>
          {(r) => <ReportBody report={r()} printing={printing()} onReviewed={() => void refetch()} />}
        </Match>
      </Switch>
    </main>
  );
}

function ReportError(props: { error: unknown }) {
  const message = () => {
    const e = props.error;
    if (e instanceof ApiError && e.status === 401)
      return 'Your link has expired or is invalid. Ask for a new report link.';
    if (e instanceof ApiError && e.status === 403) return 'You do not have access to this report.';
    if (e instanceof ApiError && e.status === 404) return 'There is no interview with this id.';
    return 'The report could not be loaded. Try again in a moment.';
  };
  return (
    <section class="notice error" role="alert">
      <h1>Report unavailable</h1>
      <p>{message()}</p>
    </section>
  );
}

function ReportBody(props: { report: Report; printing: boolean; onReviewed: () => void }) {
  const r = () => props.report;
  let player: HTMLVideoElement | undefined;
  const [recordingUrl] = createResource(
    () =>
      !props.printing && r().recording.objectKey && r().recording.state !== 'recording'
        ? r().sessionId
        : null,
    fetchRecordingUrl,
  );
  /** Plays the recording from a flag's moment. */
  const seek = (offsetMs: number) => {
    if (!player) return;
    player.currentTime = offsetMs / 1000;
    player.scrollIntoView({ block: 'center' });
    void player.play().catch(() => undefined);
  };
  const band = () => scoreBand(r().integrity.score);
  const disagreements = () => r().flags.filter((f) => f.kind === 'DISAGREEMENT');
  return (
    <>
      <header class="report-header">
        <div>
          <p class="eyebrow">Proctoring report</p>
          <h1>{r().candidate.name || 'Unnamed candidate'}</h1>
          <p class="muted">
            {r().title} ·{' '}
            {r().status === 'ended' ? 'ended' : r().status === 'live' ? 'in progress' : 'not started'} ·
            session <code>{r().sessionId}</code>
          </p>
        </div>
        <div
          class={`score ${band().tone}`}
          role="img"
          aria-label={`Integrity score ${r().integrity.score} out of 100`}
        >
          <span class="score-value">{r().integrity.score}</span>
          <span class="score-max">/100</span>
          <span class="score-band">{band().label}</span>
        </div>
      </header>

      <Show when={!props.printing}>
        <DownloadLinks sessionId={r().sessionId} />
      </Show>
      <Show when={disagreements().length > 0}>
        <section class="notice bad" role="alert">
          <h2>Server-side check disagrees with the candidate's browser</h2>
          <p>
            The verifier saw {disagreements().length} thing{disagreements().length > 1 ? 's' : ''} the browser
            did not report. The browser may have been tampered with; review these moments in the recording.
          </p>
        </section>
      </Show>
      <Show when={r().recording.state === 'failed'}>
        <section class="notice warn" role="alert">
          <h2>The recording failed</h2>
          <p>
            {r().recording.error || 'The interview recording is incomplete.'} Flags below are still valid
            evidence.
          </p>
        </section>
      </Show>

      <Show when={recordingUrl()}>
        {(url) => (
          <section aria-labelledby="recording-title" class="recording">
            <h2 id="recording-title">Recording</h2>
            {/* biome-ignore lint/a11y/useMediaCaption: a proctoring recording has no script to caption */}
            <video ref={player} controls preload="metadata" src={url()} aria-label="Interview recording" />
            <p>
              <a href={url()} download="interview-recording.mp4">
                Download the recording
              </a>{' '}
              <span class="muted">
                (link valid for an hour; choose a flag's time below to play from there)
              </span>
            </p>
          </section>
        )}
      </Show>

      <section aria-labelledby="summary-title">
        <h2 id="summary-title">Summary</h2>
        <dl class="summary">
          <Stat label="Interview duration" value={r().duration} />
          <Stat label="Started" value={dateTime(r().startedAt)} />
          <Stat label="Focus lost" value={r().focusLost} />
          <Stat label="Absences" value={r().absences} />
          <Stat label="Multiple faces" value={r().multipleFaces} />
          <Stat
            label="Objects detected"
            value={
              r().objects.length
                ? r()
                    .objects.map((o) => `${o.label} ×${o.count}`)
                    .join(', ')
                : 'none'
            }
          />
          <Stat
            label="Other events"
            value={
              r().otherEvents.length
                ? r()
                    .otherEvents.map((o) => `${flagName(o.kind)} ×${o.count}`)
                    .join(', ')
                : 'none'
            }
          />
          <Stat label="Recording" value={recordingText(r())} />
        </dl>
      </section>

      <section aria-labelledby="score-title">
        <h2 id="score-title">Integrity score: 100 − deductions</h2>
        <table class="deductions">
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Count</th>
              <th scope="col">Points each</th>
              <th scope="col">Deducted</th>
            </tr>
          </thead>
          <tbody>
            <For
              each={r().integrity.deductions}
              fallback={
                <tr>
                  <td colSpan={4}>No deductions.</td>
                </tr>
              }
            >
              {(d) => (
                <tr>
                  <td>{flagName(d.kind)}</td>
                  <td>{d.count}</td>
                  <td>{d.pointsEach}</td>
                  <td>−{d.points}</td>
                </tr>
              )}
            </For>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Score (policy {r().integrity.policyVersion})
              </th>
              <td>{r().integrity.score}/100</td>
            </tr>
          </tfoot>
        </table>
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline of flags ({r().flags.length})</h2>
        <Show when={r().flags.length > 0} fallback={<p>Nothing suspicious was detected.</p>}>
          <table class="timeline">
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">What</th>
                <th scope="col">Lasted</th>
                <th scope="col">Confidence</th>
                <th scope="col">Seen by</th>
                <th scope="col">Evidence</th>
                <th scope="col">Review</th>
              </tr>
            </thead>
            <tbody>
              <For each={r().flags}>
                {(flag) => (
                  <FlagRow
                    flag={flag}
                    onSeek={recordingUrl() ? seek : undefined}
                    sessionId={r().sessionId}
                    reviewable={!props.printing}
                    onReviewed={props.onReviewed}
                  />
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
      <footer class="muted small">
        Generated {dateTime(r().generatedAt)}. Times are offsets into the interview recording.
      </footer>
    </>
  );
}

function FlagRow(props: {
  flag: ReportFlag;
  onSeek?: (offsetMs: number) => void;
  sessionId: string;
  reviewable: boolean;
  onReviewed: () => void;
}): JSX.Element {
  const f = () => props.flag;
  return (
    <tr
      classList={{
        dismissed: f().review?.decision === 'DISMISSED',
        disagreement: f().kind === 'DISAGREEMENT',
      }}
    >
      <td>
        <Show when={props.onSeek} fallback={<time datetime={f().startedAt}>{clock(f().offsetMs)}</time>}>
          {(onSeek) => (
            <button
              type="button"
              class="link"
              aria-label={`Play the recording at ${clock(f().offsetMs)}`}
              onClick={() => onSeek()(f().offsetMs)}
            >
              <time datetime={f().startedAt}>{clock(f().offsetMs)}</time>
            </button>
          )}
        </Show>
      </td>
      <td>
        <strong>{flagName(f().kind)}</strong>
        <Show when={f().label}>
          <span class="muted"> — {f().label}</span>
        </Show>
      </td>
      <td>{f().durationMs > 0 ? seconds(f().durationMs) : f().endedAt ? '—' : 'ongoing'}</td>
      <td>
        {f().confidence > 0 ? `${Math.round(f().confidence * 100)}%` : '—'}
        <Show when={f().evidence?.measuredPrecision}>
          {(precision) => (
            <div class="muted" title={`Measured for detector ${f().evidence?.modelVersion}`}>
              {' '}
              such flags right {Math.round(precision() * 100)}% of the time
            </div>
          )}
        </Show>
      </td>
      <td>{f().source}</td>
      <td>
        <Show
          when={f().evidence?.snapshotRef.startsWith('data:image/')}
          fallback={<span class="muted">—</span>}
        >
          <img
            class="snapshot"
            src={f().evidence?.snapshotRef}
            alt={`Frame at ${clock(f().offsetMs)}: ${flagName(f().kind)}`}
          />
        </Show>
      </td>
      <td>
        <Show
          when={f().review}
          fallback={
            props.reviewable ? (
              <ReviewControls flag={f()} sessionId={props.sessionId} onReviewed={props.onReviewed} />
            ) : (
              <span class="muted">not reviewed</span>
            )
          }
        >
          {(review) => (
            <span>
              {review().decision === 'CONFIRMED' ? 'Confirmed' : 'Dismissed'}
              <Show when={review().note}>: {review().note}</Show>
            </span>
          )}
        </Show>
      </td>
    </tr>
  );
}

/** Confirm or dismiss a flag; the review is an event, and the score is recomputed from events. */
function ReviewControls(props: { flag: ReportFlag; sessionId: string; onReviewed: () => void }) {
  const [note, setNote] = createSignal('');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const review = async (decision: 'CONFIRMED' | 'DISMISSED') => {
    setBusy(true);
    setError('');
    try {
      await reviewFlag(props.sessionId, props.flag.id, decision, note());
      // The read model applies the review within moments.
      setTimeout(props.onReviewed, 600);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <div class="review no-print">
      <input
        aria-label={`Note on ${flagName(props.flag.kind)} at ${clock(props.flag.offsetMs)}`}
        placeholder="Note"
        value={note()}
        onInput={(e) => setNote(e.currentTarget.value)}
        maxLength={1000}
      />
      <button type="button" disabled={busy()} onClick={() => void review('CONFIRMED')}>
        Confirm
      </button>
      <button type="button" disabled={busy()} onClick={() => void review('DISMISSED')}>
        Dismiss
      </button>
      <Show when={error()}>
        <span class="bad" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}

function DownloadLinks(props: { sessionId: string }) {
  const [error, setError] = createSignal('');
  const download = async (format: 'PDF' | 'CSV' | 'JSON') => {
    try {
      location.assign(await exportReport(props.sessionId, format));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <p class="downloads no-print">
      Download:{' '}
      <button type="button" onClick={() => void download('PDF')}>
        PDF
      </button>{' '}
      <button type="button" onClick={() => void download('CSV')}>
        CSV
      </button>{' '}
      <button type="button" onClick={() => void download('JSON')}>
        JSON
      </button>
      <Show when={error()}>
        {' '}
        <span class="bad" role="alert">
          {error()}
        </span>
      </Show>
    </p>
  );
}

function Stat(props: { label: string; value: string | number }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function recordingText(r: Report): string {
  switch (r.recording.state) {
    case 'completed':
      return `saved (${seconds(r.recording.durationMs)})`;
    case 'recording':
      return 'recording…';
    case 'failed':
      return 'failed';
    default:
      return 'none';
  }
}
