/**
 * The page's own script, inlined as text: it draws the leaderboard and the Vega views from the
 * payload, sorts the leaderboard on a header click and, when served live, polls for a new
 * revision and redraws. Plain ES2020 for any current browser; the charts are Vega's.
 * When everything is drawn, <body data-rendered> holds the payload's revision (tests wait on it).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var live = body.getAttribute('data-live');
  var payload = JSON.parse(document.getElementById('hpsearch-payload').textContent);
  var views = [];
  var sort = { key: 'rank', dir: 1 };
  var rendering = Promise.resolve();

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function num(v) {
    if (v === null || v === undefined) return '-';
    if (typeof v !== 'number') return String(v);
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '-';
    if (ms < 1000) return Math.round(ms) + 'ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + 's';
    return Math.floor(ms / 60000) + 'm' + String(Math.round((ms % 60000) / 1000)).padStart(2, '0') + 's';
  }
  function cellValue(trial, key) {
    if (key === 'rank') return trial.rank;
    if (key === 'number') return trial.number;
    if (key === 'state') return trial.state;
    if (key === 'sampler') return trial.sampler;
    if (key === 'value') return trial.value;
    if (key === 'steps') return trial.steps;
    if (key === 'duration') return trial.durationMs;
    if (key === 'reason') return trial.reason;
    if (key.indexOf('param:') === 0) {
      var name = key.slice(6);
      return has(trial.params, name) ? trial.params[name] : null;
    }
    return null;
  }
  // A trial lacks a param it does not use (a conditional one inactive in it): absent, never null.
  function has(params, name) {
    return Object.prototype.hasOwnProperty.call(params, name);
  }
  function compare(a, b) {
    // Missing values sort last whichever way the column is sorted.
    if (a === null && b === null) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return sort.dir * (a - b);
    return sort.dir * String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function renderSummary(data) {
    var c = data.counts;
    var parts = ['complete', 'pruned', 'failed', 'running', 'queued']
      .filter(function (s) { return c[s] > 0; })
      .map(function (s) { return c[s] + ' ' + s; });
    var total = Object.keys(c).reduce(function (n, s) { return n + c[s]; }, 0);
    document.getElementById('summary').textContent =
      total + ' trials' + (parts.length ? ' (' + parts.join(', ') + ')' : '') +
      ' · ' + data.study.metric + ', ' + data.study.direction +
      (data.study.strategy ? ' · ' + data.study.strategy + ' search' : '') +
      ' · seed ' + data.study.seed + ' · ' + data.study.location;
    document.getElementById('generated').textContent = 'made ' + new Date(data.generatedAt).toLocaleString();
  }

  function renderTable(data) {
    var table = document.getElementById('leaderboard');
    var headers = table.querySelectorAll('th[data-key]');
    for (var i = 0; i < headers.length; i++) {
      var th = headers[i];
      th.setAttribute('aria-sort', th.getAttribute('data-key') === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    // The sampler column shows when the sampler labels some trial (narrowing's round, TPE's phase).
    var labelled = data.trials.some(function (t) { return t.sampler !== null && t.sampler !== undefined; });
    table.querySelector('th[data-key="sampler"]').hidden = !labelled;
    var rows = data.trials.slice().sort(function (a, b) {
      return compare(cellValue(a, sort.key), cellValue(b, sort.key)) || a.rank - b.rank;
    });
    var html = rows.map(function (t) {
      var cells = [
        '<td class="num">' + t.rank + '</td>',
        '<td class="num">' + t.number + '</td>',
        '<td class="state state-' + esc(t.state) + '">' + esc(t.state) + '</td>'
      ];
      if (labelled) cells.push('<td class="sampler">' + esc(t.sampler === null ? '-' : t.sampler) + '</td>');
      cells.push('<td class="num">' + esc(num(t.value)) + '</td>');
      data.params.forEach(function (p) {
        if (p.type === 'fixed') return;
        if (!has(t.params, p.name)) {
          cells.push('<td class="absent" title="not in this trial">-</td>');
          return;
        }
        var v = t.params[p.name];
        cells.push('<td class="' + (typeof v === 'number' ? 'num' : '') + '">' + esc(v === null ? 'null' : num(v)) + '</td>');
      });
      cells.push('<td class="num">' + t.steps + '</td>');
      cells.push('<td class="num">' + esc(duration(t.durationMs)) + '</td>');
      cells.push('<td class="reason" title="' + esc(t.reason || '') + '">' + esc(t.reason || '') + '</td>');
      return '<tr data-number="' + t.number + '">' + cells.join('') + '</tr>';
    });
    table.tBodies[0].innerHTML = html.join('');
  }

  function renderRounds(data) {
    var box = document.getElementById('rounds-table');
    if (!box) return;
    if (!data.rounds) { box.innerHTML = ''; return; }
    // Params the space does not declare (asked by the objective) have no ranges to show.
    var names = data.params
      .filter(function (p) { return data.rounds.some(function (r) { return has(r.ranges, p.name); }); })
      .map(function (p) { return p.name; });
    var head = '<tr><th>round</th><th>trials</th>' + names.map(function (n) { return '<th>' + esc(n) + '</th>'; }).join('') + '</tr>';
    var rows = data.rounds.map(function (r) {
      return '<tr><td class="num">' + r.round + '</td><td class="num">' + r.trials + '</td>' + names.map(function (n) {
        var g = r.ranges[n];
        var text = !g ? '-' : g.type === 'range' ? num(g.low) + ' – ' + num(g.high) + (g.log ? ' (log)' : '') : g.type === 'choices' ? g.choices.join(', ') : g.value;
        return '<td>' + esc(text) + '</td>';
      }).join('') + '</tr>';
    });
    box.innerHTML = '<table class="ranges"><thead>' + head + '</thead><tbody>' + rows.join('') + '</tbody></table>';
  }

  function renderViews(p) {
    views.forEach(function (v) { v.finalize(); });
    views = [];
    return Promise.all(p.views.map(function (v) {
      var box = document.querySelector('[data-view="' + v.id + '"]');
      if (!box) return null;
      box.innerHTML = '';
      if (!v.vega) {
        box.innerHTML = '<p class="empty">' + esc(v.empty) + '</p>';
        return null;
      }
      var view = new vega.View(vega.parse(v.vega), { renderer: 'svg', container: box, hover: true });
      views.push(view);
      return view.runAsync();
    }));
  }

  function render(p) {
    payload = p;
    rendering = rendering.then(function () {
      renderSummary(p.data);
      renderTable(p.data);
      renderRounds(p.data);
      return renderViews(p);
    }).then(function () {
      body.setAttribute('data-rendered', p.revision);
    }, function (error) {
      console.error('hpsearch report: ' + (error && error.message ? error.message : error));
      document.getElementById('status').textContent = 'could not draw the charts: ' + error;
    });
    return rendering;
  }

  document.getElementById('leaderboard').tHead.addEventListener('click', function (event) {
    var th = event.target.closest('th[data-key]');
    if (!th) return;
    var key = th.getAttribute('data-key');
    sort = { key: key, dir: sort.key === key ? -sort.dir : 1 };
    renderTable(payload.data);
  });

  render(payload);

  if (live) {
    var status = document.getElementById('status');
    var poll = function () {
      fetch(live + '?revision=' + encodeURIComponent(payload.revision), { cache: 'no-store' })
        .then(function (response) {
          if (response.status === 200) return response.json().then(function (next) { return render(next); });
          if (response.status !== 204) throw new Error('server answered ' + response.status);
          return null;
        })
        .then(function () {
          status.textContent = 'live · checked ' + new Date().toLocaleTimeString();
        }, function (error) {
          status.textContent = 'live · cannot reach the server (' + error.message + '); retrying';
        })
        .then(function () { setTimeout(poll, Number(body.getAttribute('data-poll-ms')) || 2000); });
    };
    setTimeout(poll, Number(body.getAttribute('data-poll-ms')) || 2000);
  }
})();
`;
