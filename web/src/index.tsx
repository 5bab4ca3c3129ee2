import { Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { render } from 'solid-js/web';
import './styles.css';

const ReportPage = lazy(() => import('./routes/report.tsx'));
const NotFound = lazy(() => import('./routes/not-found.tsx'));
const InterviewRoute = lazy(() => import('./routes/interview.tsx'));
const AnalyticsPage = lazy(() => import('./routes/analytics.tsx'));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

render(
  () => (
    <Router>
      <Route path="/interview" component={InterviewRoute} />
      <Route path="/analytics" component={AnalyticsPage} />
      <Route path="/reports/:sessionId" component={ReportPage} />
      <Route path="*" component={NotFound} />
    </Router>
  ),
  root,
);
