export default function NotFound() {
  return (
    <main class="page">
      <h1>Page not found</h1>
      <p>
        Interviewers start at <a href="/interview?role=interviewer">/interview?role=interviewer</a>.
        Candidates open the link they were sent.
      </p>
    </main>
  );
}
