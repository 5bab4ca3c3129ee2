import { useSearchParams } from '@solidjs/router';
import { lazy, Match, Switch } from 'solid-js';

const CandidatePage = lazy(() => import('./candidate.tsx'));
const InterviewerPage = lazy(() => import('./interviewer.tsx'));

/** `/interview?role=candidate&session=…#token=…` and `/interview?role=interviewer[&session=…]`, as the seed names them. */
export default function InterviewRoute() {
  const [search] = useSearchParams();
  const session = () => (typeof search.session === 'string' ? search.session : undefined);
  return (
    <Switch
      fallback={
        <main class="page">
          <h1>Choose a role</h1>
          <p>
            <a href="/interview?role=interviewer">I am the interviewer</a>. Candidates: open the link you were
            sent.
          </p>
        </main>
      }
    >
      <Match when={search.role === 'candidate' && session()}>
        {(id) => <CandidatePage sessionId={id()} />}
      </Match>
      <Match when={search.role === 'candidate'}>
        <main class="page">
          <p class="notice error" role="alert">
            This link is incomplete: it names no interview. Open the full link from your invitation.
          </p>
        </main>
      </Match>
      <Match when={search.role === 'interviewer'}>
        <InterviewerPage sessionId={session()} />
      </Match>
    </Switch>
  );
}
