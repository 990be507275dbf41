// The traces report page: reads the model from #report-data and draws the startup chart, the trace picker,
// a waterfall per trace (critical path marked) and the details of a clicked span. Plain DOM, no libraries,
// no network. Every text from the data goes in through textContent.
'use strict';
(function () {
  const model = JSON.parse(document.getElementById('report-data').textContent);
  const colourOf = new Map(model.services.map((s) => [s.name, s.colour]));

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'style') node.setAttribute('style', v);
      else if (k.startsWith('data-') || k === 'role' || k === 'title' || k === 'tabindex') node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }
  function ms(v) {
    return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms';
  }
  function pct(part, whole) {
    return whole > 0 ? (100 * part) / whole : 0;
  }

  // Startup: a stacked bar per pod, scaled to the slowest pod, then percentiles.
  function drawStartup() {
    const root = document.getElementById('startup-chart');
    const pods = model.startup.pods;
    if (pods.length === 0) {
      root.appendChild(el('p', { text: 'No syncPod spans with k8s.pod attributes in these traces.' }));
      return;
    }
    root.appendChild(el('div', { className: 'legend' }, model.startup.parts.map((p) => el('span', { className: 'chip' }, [el('i', { style: 'background:' + p.colour }), document.createTextNode(p.label)]))));
    if (model.startup.omittedPods > 0) root.appendChild(el('p', { className: 'meta', text: 'The ' + pods.length + ' slowest pods; ' + model.startup.omittedPods + ' more are in the percentiles below and in `traces startup`.' }));
    const max = pods.reduce((m, p) => Math.max(m, p.totalMs), 1e-9);
    for (const pod of pods) {
      const bar = el('div', { className: 'stack' });
      for (const part of model.startup.parts) {
        const v = pod.parts[part.key] || 0;
        if (v <= 0) continue;
        bar.appendChild(el('div', { className: 'seg', title: part.label + ': ' + ms(v), style: 'background:' + part.colour + ';width:' + pct(v, max) + '%' }));
      }
      const label = el('button', { className: 'pod-link', text: pod.pod, title: 'show its first syncPod trace' });
      label.addEventListener('click', () => selectTrace(pod.traceId));
      root.appendChild(el('div', { className: 'startup-row' + (pod.complete ? '' : ' incomplete') }, [label, bar, el('span', { className: 'total', text: pod.complete ? ms(pod.totalMs) : 'not started' })]));
    }
    const head = el('tr', {}, [el('th', { text: '' }), ...Object.keys(model.startup.percentiles[0].values).map((k) => el('th', { text: k })), el('th', { text: 'max' })]);
    const rows = model.startup.percentiles.map((r) => el('tr', {}, [el('th', { text: r.label }), ...Object.values(r.values).map((v) => el('td', { text: ms(v) })), el('td', { text: ms(r.max) })]));
    root.appendChild(el('table', { className: 'percentiles' }, [head, ...rows]));
  }

  // The picker and the legend.
  const picker = document.getElementById('trace-picker');
  model.traces.forEach((t, i) => {
    const text = t.label + (t.pod ? ' ' + t.pod : '') + ' · ' + ms(t.durationMs) + ' · ' + t.spans.length + ' spans' + (t.errorCount ? ' · ' + t.errorCount + ' errors' : '');
    picker.appendChild(el('option', { value: String(i), text: text }));
  });
  picker.addEventListener('change', () => drawTrace(Number(picker.value)));
  document.getElementById('legend').appendChild(
    el('div', { className: 'legend' }, [
      ...model.services.map((s) => el('span', { className: 'chip' }, [el('i', { style: 'background:' + s.colour }), document.createTextNode(s.name)])),
      el('span', { className: 'chip' }, [el('i', { className: 'crit-sample' }), document.createTextNode('critical path')]),
    ]),
  );

  function selectTrace(traceId) {
    const index = model.traces.findIndex((t) => t.traceId === traceId);
    if (index < 0) return;
    picker.value = String(index);
    drawTrace(index);
    document.getElementById('traces').scrollIntoView();
  }

  // The waterfall: one row per span in tree order, bars placed on the trace's time axis.
  function drawTrace(index) {
    const trace = model.traces[index];
    const box = document.getElementById('waterfall');
    box.textContent = '';
    document.getElementById('details').hidden = true;
    if (!trace) {
      box.appendChild(el('p', { text: 'No traces.' }));
      return;
    }
    document.getElementById('trace-meta').textContent = trace.traceId + ' · ' + (trace.node || '') + ' · ' + trace.startIso + (trace.truncatedSpans ? ' · ' + trace.truncatedSpans + ' spans not shown' : '');
    const total = Math.max(trace.durationMs, 1e-9);
    const ticks = el('div', { className: 'ticks' }, [0, 0.25, 0.5, 0.75, 1].map((f) => el('span', { style: 'left:' + f * 100 + '%', text: ms(f * trace.durationMs) })));
    box.appendChild(el('div', { className: 'span-row header' }, [el('div', { className: 'name', text: 'span' }), el('div', { className: 'lane' }, [ticks])]));
    trace.spans.forEach((span, i) => {
      const colour = colourOf.get(span.service) || '#888';
      const bar = el('div', { className: 'bar' + (span.status === 'ERROR' ? ' error' : ''), style: 'left:' + pct(span.startMs, total) + '%;width:max(2px,' + pct(span.durationMs, total) + '%);background:' + colour });
      const lane = el('div', { className: 'lane' }, [bar]);
      for (const [from, to] of span.critical) lane.appendChild(el('div', { className: 'crit', style: 'left:' + pct(from, total) + '%;width:max(1px,' + pct(to - from, total) + '%)' }));
      lane.appendChild(el('span', { className: 'dur', style: 'left:calc(' + pct(span.startMs + span.durationMs, total) + '% + 4px)', text: ms(span.durationMs) }));
      const name = el('div', { className: 'name', style: 'padding-left:' + (4 + span.depth * 14) + 'px', title: span.name }, [
        el('i', { className: 'svc', style: 'background:' + colour }),
        el('span', { className: 'svc-name', text: span.service }),
        el('span', { text: ' ' + span.name }),
      ]);
      const row = el('div', { className: 'span-row' + (span.critical.length ? ' on-critical-path' : '') + (span.status === 'ERROR' ? ' error' : ''), 'data-index': String(i), role: 'row', tabindex: '0' }, [name, lane]);
      row.addEventListener('click', () => showDetails(trace, i, row));
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') showDetails(trace, i, row);
      });
      box.appendChild(row);
    });
  }

  function table(pairs) {
    if (pairs.length === 0) return el('p', { className: 'none', text: '(none)' });
    return el('table', { className: 'kv' }, pairs.map(([k, v]) => el('tr', {}, [el('th', { text: k }), el('td', { text: v })])));
  }

  function showDetails(trace, i, row) {
    const span = trace.spans[i];
    for (const r of document.querySelectorAll('.span-row.selected')) r.classList.remove('selected');
    row.classList.add('selected');
    const d = document.getElementById('details');
    d.textContent = '';
    const close = el('button', { className: 'close', text: '×', title: 'close' });
    close.addEventListener('click', () => {
      d.hidden = true;
    });
    d.appendChild(close);
    d.appendChild(el('h3', { text: span.name }));
    d.appendChild(
      table([
        ['service', span.service],
        ['kind', span.kind],
        ['scope', span.scope],
        ['start', '+' + ms(span.startMs)],
        ['duration', ms(span.durationMs)],
        ['status', span.status + (span.statusMessage ? ': ' + span.statusMessage : '')],
        ['span id', span.spanId],
        ['parent span id', span.parentSpanId || '(root)'],
        ['critical path', span.critical.length ? span.critical.map(([a, b]) => '+' + ms(a) + '–' + ms(b)).join(', ') : 'no'],
      ]),
    );
    d.appendChild(el('h4', { text: 'Attributes' }));
    d.appendChild(table(span.attributes));
    d.appendChild(el('h4', { text: 'Events' }));
    if (span.events.length === 0) d.appendChild(el('p', { className: 'none', text: '(none)' }));
    for (const e of span.events) {
      d.appendChild(el('div', { className: 'event' }, [el('strong', { text: '+' + ms(e.atMs) + ' ' + e.name }), table(e.attributes)]));
    }
    d.appendChild(el('h4', { text: 'Links' }));
    if (span.links.length === 0) d.appendChild(el('p', { className: 'none', text: '(none)' }));
    for (const l of span.links) d.appendChild(el('div', { className: 'link' }, [el('code', { text: l.traceId + ' / ' + l.spanId }), table(l.attributes)]));
    d.appendChild(el('h4', { text: 'Resource' }));
    d.appendChild(table(span.resource));
    d.hidden = false;
  }

  drawStartup();
  drawTrace(0);
})();
