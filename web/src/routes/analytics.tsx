import { createResource, createSignal, For, Show } from 'solid-js';
import { BarChart } from '~/components/BarChart';
import { ErrorNotice } from '~/components/ErrorNotice';
import { fetchAnalytics } from '~/lib/analytics';
import { flagName } from '~/lib/format';

const FLAG_OF_KIND: Record<string, string> = {
  lookingAway: 'FOCUS_LOST',
  faceAbsent: 'FACE_ABSENT',
  multipleFaces: 'MULTIPLE_FACES',
  eyesClosed: 'EYES_CLOSED',
  tabHidden: 'TAB_HIDDEN',
  disagreement: 'DISAGREEMENT',
};

/** The analyst's dashboard: what happens across interviews, from ClickHouse. */
export default function AnalyticsPage() {
  const [days, setDays] = createSignal(30);
  const [data] = createResource(days, fetchAnalytics);
  const eventsByKind = () => {
    const totals = new Map<string, number>();
    for (const row of data()?.eventsByDay ?? [])
      totals.set(row.kind, (totals.get(row.kind) ?? 0) + row.count);
    return [...totals]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, value]) => ({ label: FLAG_OF_KIND[kind] ? flagName(FLAG_OF_KIND[kind]) : kind, value }));
  };
  return (
    <main class="page">
      <h1>Integrity analytics</h1>
      <label>
        Period{' '}
        <select value={days()} onChange={(e) => setDays(Number(e.currentTarget.value))}>
          <option value="7">last 7 days</option>
          <option value="30">last 30 days</option>
          <option value="90">last 90 days</option>
        </select>
      </label>
      <ErrorNotice message={data.error ? String(data.error.message ?? data.error) : null} />
      <Show when={data()} fallback={<p role="status">Loading…</p>}>
        {(a) => (
          <div class="charts">
            <BarChart title="Events by type" rows={eventsByKind()} />
            <BarChart
              title="Integrity score distribution (ended interviews)"
              rows={a().scoreDistribution.map((b) => ({
                label: `${b.bucket}–${b.bucket + 9}`,
                value: b.sessions,
              }))}
            />
            <BarChart
              title="Top flag kinds"
              rows={a().topFlagKinds.map((k) => ({ label: flagName(k.kind), value: k.count }))}
            />
            <section>
              <h2>Flags per interview</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Candidate</th>
                    <th scope="col">Flags</th>
                    <th scope="col">Score</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={a().flagsPerInterview}>
                    {(row) => (
                      <tr>
                        <td>
                          <a href={`/reports/${row.sessionId}`}>{row.candidateName || row.sessionId}</a>
                        </td>
                        <td>{row.flags}</td>
                        <td>{row.score}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </section>
          </div>
        )}
      </Show>
    </main>
  );
}
