// Sluice dashboard page: reads the handler's Server-Sent Events feed and draws each sample.
// Plain browser JavaScript with no dependencies and no build step, so the handler serves it as it is
// and the page works offline under `default-src 'self'`. Every value from the feed reaches the DOM
// through textContent or an attribute, never as markup: records are user data.

const SVG = 'http://www.w3.org/2000/svg';
/** Samples the page keeps for its charts: two minutes at the default interval. */
const KEEP = 120;
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {any[]} The samples seen, oldest first. */
let history = [];
/** The job on show, by name. */
let selected = '';

// ---- formatting ----
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? compact.format(n) : '–');
const bytes = (b) => (typeof b !== 'number' ? '–' : b < 1024 ? `${b} B` : b < 1048576 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 1048576).toFixed(1)} MB`);
const millis = (v) =>
  typeof v !== 'number' ? '–' : v < 1000 ? `${Math.round(v)} ms` : v < 60000 ? `${(v / 1000).toFixed(1)} s` : `${(v / 60000).toFixed(1)} min`;
const percent = (f) => `${Math.round(f * 100)}%`;
const clock = (at) => new Date(at).toLocaleTimeString();
/** Mailbox fill as a level: the colour of its bar, and `full` marks backpressure. */
const level = (f) => (f >= 0.85 ? 'full' : f >= 0.5 ? 'warn' : 'ok');
const cut = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// ---- DOM helpers: attributes and text only ----
function make(ns, tag, attrs, text) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
const h = (tag, attrs, text) => make(null, tag, attrs, text);
const s = (tag, attrs, text) => make(SVG, tag, attrs, text);
function row(cells, attrs) {
  const tr = h('tr', attrs);
  for (const c of cells) tr.append(typeof c === 'string' ? h('td', {}, c) : c);
  return tr;
}

// ---- the feed ----
const token = new URLSearchParams(location.search).get('token');
const feedUrl = new URL('feed', import.meta.url);
if (token !== null) feedUrl.searchParams.set('token', token);

function setConnection(state, text) {
  const node = $('connection');
  node.dataset['state'] = state;
  node.textContent = text;
}

/** EventSource retries a dropped connection itself; one it gave up on (a refused status) is retried here. */
function connect() {
  const source = new EventSource(feedUrl);
  source.addEventListener('open', () => setConnection('live', 'Live'));
  source.addEventListener('history', (e) => receive(e, true));
  source.addEventListener('sample', (e) => receive(e, false));
  source.addEventListener('error', () => {
    setConnection('retrying', 'Disconnected, retrying…');
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
}

function receive(event, isHistory) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  const samples = (isHistory ? data : [data]).filter((x) => x && typeof x.at === 'number' && Array.isArray(x.jobs));
  if (samples.length === 0) return;
  // A reconnect sends the server's history again: it replaces what the page holds from then on.
  history = history.filter((x) => x.at < samples[0].at).concat(samples);
  if (history.length > KEEP) history = history.slice(-KEEP);
  setConnection('live', 'Live');
  render();
}

// ---- drawing ----
function render() {
  const latest = history[history.length - 1];
  const names = latest.jobs.map((j) => j.name);
  if (!names.includes(selected)) selected = names[0] ?? '';
  renderPicker(names);
  const job = latest.jobs.find((j) => j.name === selected);
  if (job === undefined) {
    $('job-name').textContent = 'No jobs';
    return;
  }
  renderHeader(job, latest.at);
  renderSummary(job, latest.at);
  renderGraph(job);
  renderStages(job);
  renderCharts(job);
  renderCheckpoints(job);
  renderDeadLetters(job);
}

function renderPicker(names) {
  const picker = /** @type {HTMLSelectElement} */ ($('job'));
  $('job-picker').hidden = names.length < 2;
  // Rebuilt only when the jobs change, so a keyboard user's place in the list survives each sample.
  if (picker.dataset['names'] === names.join('\n')) return;
  picker.dataset['names'] = names.join('\n');
  picker.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
  picker.value = selected;
}

function renderHeader(job, at) {
  $('job-name').textContent = job.name;
  const status = $('status');
  status.textContent = job.status;
  status.dataset['status'] = job.status;
  document.title = `${job.name}: ${job.status} · Sluice`;
  const ended = $('ended');
  ended.hidden = job.status !== 'finished' && job.status !== 'failed';
  ended.dataset['status'] = job.status;
  ended.textContent =
    job.status === 'failed'
      ? `Job failed (last seen ${clock(at)}). These are its last numbers; see restarts and dead letters.`
      : `Job finished (last seen ${clock(at)}). These are its final numbers.`;
}

function renderSummary(job, at) {
  const items = [
    ['read', 'Records read', num(job.recordsRead)],
    ['written', 'Records written', num(job.recordsWritten)],
    ['rate', 'Records/s', num(job.recordsPerSecond)],
    ['restarts', 'Restarts', num(job.restarts)],
    ['dead', 'Dead letters', num(job.deadLetters)],
    ['lag', 'Watermark lag', millis(job.watermarkLagMs)],
    ['at', 'Updated', clock(at)],
  ];
  const pairs = items.map(([key, label, value]) => {
    const pair = h('div');
    pair.append(h('dt', {}, label), h('dd', { 'data-testid': `summary-${key}` }, value));
    return pair;
  });
  $('summary').replaceChildren(...pairs);
}

// The topology: one column per stage, one box per partition, edges between consecutive columns.
const COL = 180;
const GAP = 56;
const BOX = 66;
const STEP = BOX + 10;
const TOP = 46;
const PAD = 14;
let graphShape = '';
/** @type {Map<string, any>} The parts of each box that change, by `stage-partition`. */
let boxes = new Map();

function boxesOf(stage) {
  return stage.partitions.length === 0 ? [undefined] : stage.partitions;
}

function buildGraph(job) {
  const graph = $('graph');
  const title = /** @type {Element} */ (graph.firstElementChild);
  const tallest = Math.max(1, ...job.stages.map((st) => boxesOf(st).length));
  const width = PAD * 2 + job.stages.length * COL + (job.stages.length - 1) * GAP;
  const height = TOP + tallest * STEP - (STEP - BOX) + PAD;
  for (const [k, v] of Object.entries({ width, height, viewBox: `0 0 ${width} ${height}` })) graph.setAttribute(k, String(v));
  const edges = s('g', { 'aria-hidden': 'true' });
  const columns = [];
  boxes = new Map();
  job.stages.forEach((stage, i) => {
    const x = PAD + i * (COL + GAP);
    const column = s('g', { 'data-testid': `stage-${i}`, 'data-name': stage.name });
    column.append(s('text', { x, y: 16, class: 'head' }, cut(stage.name, 26)), s('title', {}, stage.name));
    const sub = column.appendChild(s('text', { x, y: 33, class: 'muted', 'data-testid': 'stage-rate' }));
    boxes.set(`${i}`, { sub });
    boxesOf(stage).forEach((partition, p) => column.append(buildBox(i, p, x, TOP + p * STEP, partition)));
    columns.push(column);
    if (i === 0) return;
    const from = boxesOf(job.stages[i - 1]).length;
    const to = boxesOf(stage).length;
    const x0 = x - GAP;
    // Many-to-many between wide stages would be a smear of lines: one band stands for them.
    const pairs = from * to <= 64 ? [...Array(from * to).keys()].map((k) => [Math.floor(k / to), k % to]) : [[(from - 1) / 2, (to - 1) / 2]];
    for (const [a, b] of pairs) {
      const y0 = TOP + a * STEP + BOX / 2;
      const y1 = TOP + b * STEP + BOX / 2;
      edges.append(
        s('path', {
          class: 'edge',
          d: `M${x0} ${y0}C${x0 + GAP / 2} ${y0} ${x - GAP / 2} ${y1} ${x} ${y1}`,
          'stroke-width': pairs.length === 1 && from * to > 1 ? 6 : 1,
        }),
      );
    }
  });
  graph.replaceChildren(title, edges, ...columns);
}

function buildBox(i, p, x, y, partition) {
  const g = s('g', partition ? { 'data-testid': `partition-${i}-${p}` } : { 'data-testid': `stage-${i}-box` });
  const tip = s('title');
  g.append(tip, s('rect', { class: 'box', x, y, width: COL, height: BOX, rx: 6 }));
  const rate = g.appendChild(s('text', { x: x + 8, y: y + 18, 'data-testid': 'rate' }));
  const parts = { g, tip, rate };
  if (partition) {
    const fill = g.appendChild(s('g', { 'data-testid': 'fill' }));
    fill.append(s('rect', { class: 'track', x: x + 8, y: y + 27, width: COL - 70, height: 9, rx: 2 }));
    parts.bar = fill.appendChild(s('rect', { class: 'fill', x: x + 8, y: y + 27, width: 0, height: 9, rx: 2 }));
    parts.fillText = fill.appendChild(s('text', { x: x + COL - 56, y: y + 36 }));
    parts.fill = fill;
    parts.owner = g.appendChild(s('text', { x: x + 8, y: y + 56, class: 'muted', 'data-testid': 'owner' }));
    parts.restarts = g.appendChild(s('text', { x: x + COL - 8, y: y + 56, 'text-anchor': 'end', 'data-testid': 'restarts' }));
  }
  boxes.set(`${i}-${p}`, parts);
  return g;
}

function renderGraph(job) {
  const shape = job.stages.map((st) => `${st.name}:${st.partitions.length}`).join('|');
  if (shape !== graphShape) buildGraph(job);
  graphShape = shape;
  let fullest;
  job.stages.forEach((stage, i) => {
    boxes.get(`${i}`).sub.textContent = `${stage.kind} · ${num(stage.recordsPerSecond)} rec/s`;
    if (stage.partitions.length === 0) {
      const parts = boxes.get(`${i}-0`);
      parts.rate.textContent = `${num(stage.recordsPerSecond)} records/s`;
      parts.tip.textContent = `${stage.name}: ${num(stage.recordsOut)} records out`;
    }
    stage.partitions.forEach((pt, p) => {
      const parts = boxes.get(`${i}-${p}`);
      const fill = Math.min(1, Math.max(0, Number(pt.mailboxFill) || 0));
      if (!fullest || fill > fullest.fill) fullest = { fill, name: `${stage.name} #${pt.index}` };
      parts.rate.textContent = `#${pt.index} · ${num(pt.recordsPerSecond)} rec/s`;
      parts.fill.setAttribute('data-fill', fill.toFixed(2));
      parts.fill.setAttribute('data-level', level(fill));
      parts.bar.setAttribute('width', ((COL - 70) * fill).toFixed(1));
      parts.bar.setAttribute('data-level', level(fill));
      parts.fillText.textContent = `${pt.mailboxDepth}/${pt.mailboxCapacity}`;
      parts.owner.textContent = cut(pt.owner, 16);
      parts.restarts.textContent = `${pt.restarts} restart${pt.restarts === 1 ? '' : 's'}`;
      parts.restarts.setAttribute('class', pt.restarts > 0 ? 'badge' : 'muted');
      parts.g.setAttribute('class', level(fill) === 'full' ? 'hot' : '');
      parts.tip.textContent =
        `${pt.actor}: ${num(pt.recordsPerSecond)} records/s (${num(pt.batchesPerSecond)} batches/s), mailbox ${pt.mailboxDepth} of ${pt.mailboxCapacity} (${percent(fill)})` +
        `, ${pt.restarts} restarts, run by ${pt.owner}`;
    });
  });
  const flow = job.stages.map((st) => (st.partitions.length > 1 ? `${st.name} (${st.partitions.length} partitions)` : st.name)).join(' → ');
  const pressure = fullest ? ` Fullest mailbox: ${fullest.name} at ${percent(fullest.fill)}.` : '';
  $('graph-title').textContent = `Topology of ${job.name}: ${flow}.${pressure}`;
}

function renderStages(job) {
  const rows = job.stages.map((st, i) => {
    const fills = st.partitions.map((pt) => Number(pt.mailboxFill) || 0);
    const top = fills.length ? Math.max(...fills) : undefined;
    const restarts = st.partitions.reduce((sum, pt) => sum + pt.restarts, 0);
    return row(
      [
        h('th', { scope: 'row' }, st.name),
        st.kind,
        num(st.recordsIn),
        num(st.recordsOut),
        num(st.recordsPerSecond),
        h('td', { 'data-testid': `lag-${i}` }, millis(st.watermarkLagMs)),
        String(st.partitions.length),
        top === undefined ? '–' : percent(top),
        num(restarts),
      ],
      { 'data-testid': `stage-row-${i}` },
    );
  });
  $('stages').replaceChildren(...rows);
}

// A records/s chart per stage, over the samples the page holds.
let chartShape = '';
function renderCharts(job) {
  const box = $('charts');
  const shape = `${job.name}|${job.stages.map((st) => st.name).join('|')}`;
  if (shape !== chartShape) {
    box.replaceChildren(
      ...job.stages.map((st, i) => {
        const fig = h('figure', { class: 'chart', 'data-testid': `chart-${i}` });
        const cap = fig.appendChild(h('figcaption'));
        cap.append(h('strong', {}, cut(st.name, 28)), h('span', { 'data-testid': 'now' }));
        const svg = fig.appendChild(s('svg', { viewBox: '0 0 240 70', preserveAspectRatio: 'none', role: 'img' }));
        svg.append(s('title'), s('line', { class: 'grid', x1: 0, x2: 240, y1: 69, y2: 69, 'vector-effect': 'non-scaling-stroke' }));
        svg.append(s('path', { class: 'line', 'vector-effect': 'non-scaling-stroke' }));
        return fig;
      }),
    );
    chartShape = shape;
  }
  job.stages.forEach((st, i) => {
    const fig = box.children[i];
    const values = history.map((sample) => sample.jobs.find((j) => j.name === job.name)?.stages[i]?.recordsPerSecond ?? 0);
    const peak = Math.max(1, ...values);
    const dx = 240 / (KEEP - 1);
    const d = values.map((v, k) => `${k ? 'L' : 'M'}${(240 - (values.length - 1 - k) * dx).toFixed(1)} ${(68 - (v / peak) * 62).toFixed(1)}`).join('');
    fig.querySelector('path').setAttribute('d', d);
    fig.querySelector('[data-testid=now]').textContent = `${num(st.recordsPerSecond)}/s, peak ${num(peak)}`;
    fig.querySelector('title').textContent =
      `Records per second into ${st.name} over the last ${values.length} samples: now ${num(st.recordsPerSecond)}, peak ${num(peak)}.`;
  });
}

function renderCheckpoints(job) {
  const chart = $('checkpoint-chart');
  const text = $('checkpoint-text');
  const list = job.checkpoints;
  chart.toggleAttribute('hidden', !list);
  if (!list) {
    text.textContent = 'Checkpoints are off for this job.';
    $('checkpoint-failures').replaceChildren();
    return;
  }
  const failed = list.filter((c) => c.failure !== undefined && c.failure !== null);
  const last = list[list.length - 1];
  text.textContent = !last
    ? 'No checkpoint yet.'
    : `${list.length} recent, ${failed.length} failed. Last: #${last.id} at ${clock(last.at)}, ` +
      (last.failure ? `failed: ${last.failure}` : `${millis(last.durationMs)}, ${bytes(last.bytes)}`);
  const longest = Math.max(1, ...list.map((c) => c.durationMs ?? 0));
  const width = 600 / 50;
  chart.setAttribute('viewBox', '0 0 600 80');
  chart.setAttribute('preserveAspectRatio', 'none');
  const bars = list.slice(-50).map((c, k) => {
    const bad = Boolean(c.failure);
    const height = bad ? 78 : Math.max(2, ((c.durationMs ?? 0) / longest) * 76);
    const bar = s('rect', { class: bad ? 'cp failed' : 'cp', x: k * width + 1, y: 79 - height, width: width - 2, height, 'data-testid': `checkpoint-${c.id}` });
    if (bad) bar.setAttribute('data-failed', 'true');
    bar.append(s('title', {}, `#${c.id} at ${clock(c.at)}: ${bad ? `failed: ${c.failure}` : `${millis(c.durationMs)}, ${bytes(c.bytes)}`}`));
    return bar;
  });
  $('checkpoint-title').textContent = `Checkpoint durations, oldest to newest; failures drawn full height in red. ${text.textContent}`;
  chart.replaceChildren(/** @type {Element} */ ($('checkpoint-title')), ...bars);
  $('checkpoint-failures').replaceChildren(...failed.slice(-5).map((c) => h('li', {}, `#${c.id} failed at ${clock(c.at)}: ${c.failure}`)));
}

function renderDeadLetters(job) {
  const letters = [...job.recentDeadLetters].reverse();
  $('dead-count').textContent = `${num(job.deadLetters)} in all${letters.length ? `; the latest ${letters.length}:` : '.'}`;
  const rows = letters.map((d) => row([d.reason, d.stage, h('td', { class: 'record' }, d.record), d.error]));
  $('dead').replaceChildren(...(rows.length ? rows : [row([h('td', { colspan: 4 }, 'None so far.')])]));
}

$('job').addEventListener('change', (e) => {
  selected = /** @type {HTMLSelectElement} */ (e.target).value;
  graphShape = '';
  render();
});
connect();
