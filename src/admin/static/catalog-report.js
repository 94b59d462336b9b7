/*
 * The catalog report page's script (src/admin/catalog-report-page.ts): fetches the figures from the same origin
 * (the session cookie goes with them) and draws each chart with Chart.js, or says in the chart's place that there
 * is no data yet. Runs after chart.umd.js (both deferred, in order). Animations are off, so a printed page shows
 * the charts as drawn. When all is drawn, <body data-state> reads "ready" (or "failed").
 */
'use strict';
(() => {
  const DAY_MS = 86_400_000;
  const PROVIDER_COLOURS = ['#2563eb', '#d97706', '#0d9488', '#9333ea', '#db2777', '#65a30d'];
  const STATE_COLOURS = { applied: '#16a34a', failed: '#dc2626', skipped: '#f59e0b', planned: '#94a3b8' };
  const OUTCOME_COLOURS = { succeeded: '#16a34a', failed: '#dc2626', timed_out: '#f59e0b', running: '#2563eb' };
  const OTHER_COLOURS = ['#64748b', '#0891b2', '#a16207', '#be185d'];
  const number = new Intl.NumberFormat('en');
  const body = document.body;

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(body).fontFamily;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = '#3e4c59';
  Chart.defaults.plugins.legend.position = 'bottom';
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  // sharp on paper as well as on screen
  Chart.defaults.devicePixelRatio = Math.max(window.devicePixelRatio || 1, 2);

  const utc = (iso) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const shortDay = (day) => day.slice(5);

  function formatBytes(value) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
    let scaled = Math.abs(value);
    let unit = 0;
    while (scaled >= 1000 && unit < units.length - 1) {
      scaled /= 1000;
      unit += 1;
    }
    return `${Number((Math.sign(value) * scaled).toFixed(scaled < 10 && unit > 0 ? 1 : 0))} ${units[unit]}`;
  }

  /** known keys in their order, then any other key the figures hold */
  function ordered(known, keys) {
    return [...known.filter((key) => keys.has(key)), ...[...keys].filter((key) => !known.includes(key)).sort()];
  }

  /** key → day → summed value */
  function sumByDay(rows, keyOf, valueOf) {
    const sums = new Map();
    for (const row of rows) {
      const key = keyOf(row);
      const days = sums.get(key) ?? new Map();
      days.set(row.day, (days.get(row.day) ?? 0) + valueOf(row));
      sums.set(key, days);
    }
    return sums;
  }

  const dayAxis = (stacked) => ({
    type: 'category',
    stacked,
    grid: { display: false },
    ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 10, callback(value) { return shortDay(this.getLabelForValue(value)); } },
  });

  const countAxis = (stacked) => ({ stacked, beginAtZero: true, ticks: { precision: 0, callback: (value) => number.format(value) } });

  function stackedBars(data, sums, keys, colourOf) {
    const datasets = keys.map((key, i) => ({
      label: key,
      data: data.dayList.map((day) => sums.get(key)?.get(day) ?? 0),
      backgroundColor: colourOf(key, i),
    }));
    return {
      type: 'bar',
      data: { labels: data.dayList, datasets },
      options: { interaction: { mode: 'index', intersect: false }, scales: { x: dayAxis(true), y: countAxis(true) } },
    };
  }

  function sizeLines(data, pick, format) {
    const sums = sumByDay(data.catalogSize, (row) => row.provider, pick);
    const datasets = data.providers
      .filter((provider) => sums.has(provider))
      .map((provider) => {
        const values = data.dayList.map((day) => sums.get(provider).get(day) ?? null);
        const colour = providerColour(data)(provider);
        const points = values.filter((value) => value !== null).length;
        return { label: provider, data: values, borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: points > 1 ? 0 : 3, spanGaps: true, tension: 0.2 };
      });
    return {
      type: 'line',
      data: { labels: data.dayList, datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { x: dayAxis(false), y: { beginAtZero: true, ticks: { callback: format } } },
        plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}` } } },
      },
    };
  }

  function perRun(data, field, unit) {
    const since = Date.parse(`${data.from}T00:00:00Z`);
    const until = Date.parse(`${data.to}T00:00:00Z`) + DAY_MS;
    const datasets = data.providers
      .map((provider) => ({ provider, runs: data.syncRuns.filter((run) => run.provider === provider) }))
      .filter(({ runs }) => runs.length > 0)
      .map(({ provider, runs }) => {
        const colour = providerColour(data)(provider);
        return {
          label: provider,
          data: runs.map((run) => ({ x: Date.parse(run.finishedAt), y: run[field], runId: run.runId, state: run.state })),
          borderColor: colour,
          backgroundColor: colour,
          showLine: true,
          borderWidth: 1,
          pointRadius: 2.5,
        };
      });
    return {
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x: {
            type: 'linear',
            min: since,
            max: until,
            grid: { display: false },
            ticks: { maxRotation: 0, stepSize: DAY_MS * Math.max(1, Math.ceil(data.days / 9)), callback: (value) => shortDay(new Date(value).toISOString().slice(0, 10)) },
          },
          y: { beginAtZero: true, ticks: { callback: (value) => number.format(value) } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label} run ${item.raw.runId} (${item.raw.state}): ${number.format(item.raw.y)} ${unit}, finished ${utc(new Date(item.raw.x).toISOString())}`,
            },
          },
        },
      },
    };
  }

  function providerColour(data) {
    return (provider) => PROVIDER_COLOURS[data.providers.indexOf(provider) % PROVIDER_COLOURS.length];
  }

  /** per chart id: its configuration, or null with the reason when there is nothing to draw */
  const CHARTS = {
    'catalog-assets': (data) =>
      data.catalogSize.length === 0 ? 'No data yet: no daily catalog figures in this range (the daily catalog job writes them).' : sizeLines(data, (row) => row.assets, (v) => number.format(v)),
    'catalog-bytes': (data) =>
      data.catalogSize.length === 0 ? 'No data yet: no daily catalog figures in this range (the daily catalog job writes them).' : sizeLines(data, (row) => row.bytes, formatBytes),
    appeared: (data) => changeBars(data, 'appeared', 'No data yet: no asset appeared in this range.'),
    removed: (data) => changeBars(data, 'removed', 'No data yet: no asset was removed in this range.'),
    retention: (data) => {
      const sums = sumByDay(data.retention, (row) => row.state, (row) => row.actions);
      if (sums.size === 0) return 'No data yet: no retention action in this range.';
      const keys = ordered(Object.keys(STATE_COLOURS), new Set(sums.keys()));
      return stackedBars(data, sums, keys, (key, i) => STATE_COLOURS[key] ?? OTHER_COLOURS[i % OTHER_COLOURS.length]);
    },
    dag: (data) => {
      const sums = sumByDay(data.dagOutcomes, (row) => row.outcome, (row) => row.runs);
      if (sums.size === 0) return 'No data yet: no DAG run in this range.';
      const keys = ordered(Object.keys(OUTCOME_COLOURS), new Set(sums.keys()));
      return stackedBars(data, sums, keys, (key, i) => OUTCOME_COLOURS[key] ?? OTHER_COLOURS[i % OTHER_COLOURS.length]);
    },
    'sync-seconds': (data) => (data.syncRuns.length === 0 ? 'No data yet: no sync run finished in this range.' : perRun(data, 'seconds', 's')),
    'sync-requests': (data) => (data.syncRuns.length === 0 ? 'No data yet: no sync run finished in this range.' : perRun(data, 'requests', 'requests')),
  };

  function changeBars(data, change, empty) {
    const rows = data.changes.filter((row) => row[change] > 0);
    if (rows.length === 0) return empty;
    const sums = sumByDay(rows, (row) => row.provider, (row) => row[change]);
    const keys = ordered(data.providers, new Set(sums.keys()));
    return stackedBars(data, sums, keys, providerColour(data));
  }

  function sayInstead(section, message) {
    const text = document.createElement('p');
    text.className = 'empty';
    text.textContent = message;
    section.querySelector('.plot').replaceChildren(text);
  }

  function drawAll(data) {
    for (const section of document.querySelectorAll('section[data-chart]')) {
      const build = CHARTS[section.dataset.chart];
      const config = build === undefined ? 'This chart is unknown to the page script.' : build(data);
      if (typeof config === 'string') {
        section.classList.add('is-empty');
        sayInstead(section, config);
      } else {
        new Chart(section.querySelector('canvas'), config);
        section.classList.add('is-drawn');
      }
    }
    const asOf = data.catalogAsOf === null ? '' : `; the newest catalog figures were taken ${utc(data.catalogAsOf)}`;
    const capped = data.syncRunsTruncated ? `; sync charts show the newest ${number.format(data.syncRuns.length)} runs only` : '';
    document.getElementById('taken').textContent = `Figures read ${utc(data.generatedAt)}${asOf}${capped}.`;
  }

  function fail(message) {
    document.getElementById('taken').textContent = message;
    for (const section of document.querySelectorAll('section[data-chart]')) {
      section.classList.add('failed');
      sayInstead(section, message);
    }
    body.dataset.state = 'failed';
  }

  // a print layout changes the charts' boxes: redraw at the new size before the page is printed
  const resizeAll = () => Object.values(Chart.instances).forEach((chart) => chart.resize());
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);

  fetch(body.dataset.dataUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then(async (response) => {
      if (response.status === 401) return fail('The session has ended: open this page again with ?token=<ADMIN_TOKEN>.');
      if (!response.ok) return fail(`Could not read the figures: HTTP ${response.status}.`);
      drawAll(await response.json());
      body.dataset.state = 'ready';
    })
    .catch((error) => fail(`Could not read the figures: ${error.message}`));
})();
