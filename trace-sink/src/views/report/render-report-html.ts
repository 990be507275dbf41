import { readReportAssets } from './report-assets';
import type { ReportModel } from './report-model';

/**
 * One self-contained HTML file: the model as JSON in a data block, the page's script and styles inline, no
 * network access (a Content-Security-Policy forbids any), so it opens offline from disk.
 */
export function renderReportHtml(model: ReportModel): string {
  const { script, style } = readReportAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>
${style}
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(model.title)}</h1>
  <p class="meta">${model.traces.length} traces${model.omittedTraces > 0 ? ` (${model.omittedTraces} more in the file, not shown)` : ''}; generated ${escapeHtml(model.generatedAt)}</p>
</header>
<section id="startup"><h2>Pod startup</h2><div id="startup-chart"></div></section>
<section id="traces">
  <h2>Trace</h2>
  <div class="picker"><label for="trace-picker">Trace </label><select id="trace-picker"></select> <span id="trace-meta"></span></div>
  <div id="legend"></div>
  <div id="waterfall" role="table"></div>
</section>
<aside id="details" hidden></aside>
<script type="application/json" id="report-data">${jsonForScript(model)}</script>
<script>
${script}
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end the script element or open a comment inside it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
