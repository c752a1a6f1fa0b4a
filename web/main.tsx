// Placeholder dashboard: proves the Preact + uPlot build and the embedded serving path.
// The real dashboard is its own issue.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface Summary {
  totalServers: number;
  totalBackups: number;
  totalBackupsRuns: number;
  overdueBackupsCount: number;
}

function SummaryStrip() {
  const [summary, setSummary] = useState<Summary | null>(null);
  useEffect(() => {
    fetch('/api/summary').then((r) => r.json()).then(setSummary).catch(() => setSummary(null));
  }, []);
  if (!summary) return <p data-testid="summary-loading">Loading…</p>;
  return (
    <ul data-testid="summary">
      <li>Servers: {summary.totalServers}</li>
      <li>Backup jobs: {summary.totalBackups}</li>
      <li>Runs: {summary.totalBackupsRuns}</li>
      <li>Overdue: {summary.overdueBackupsCount}</li>
    </ul>
  );
}

function Chart() {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const plot = new uPlot({ width: 480, height: 160, series: [{}, { label: 'runs', stroke: '#2563eb' }] }, [[], []], el.current);
    return () => plot.destroy();
  }, []);
  return <div ref={el} />;
}

function App() {
  return (
    <main>
      <h1>duplistatus</h1>
      <SummaryStrip />
      <Chart />
    </main>
  );
}

render(<App />, document.getElementById('app')!);
