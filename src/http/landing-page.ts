/** The small HTML page at `/`, linking the other endpoints, as exporters serve one. */
import { VERSION } from '../version.js';

export function landingPage(): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Aegis Sentinel</title></head>
<body>
<h1>Aegis Sentinel</h1>
<p>Monitoring and self-healing agent, version ${VERSION}.</p>
<ul>
<li><a href="metrics">Metrics</a> (Prometheus text format; OpenMetrics on request)</li>
<li><a href="status">Status</a> (JSON)</li>
<li><a href="healthz">Health</a></li>
<li>POST <code>/heal</code>: Alertmanager webhook receiver</li>
</ul>
</body>
</html>
`;
}
