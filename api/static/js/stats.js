// The statistics tab: key figures and two charts; a company's bar opens that company's access review.

import { $, el, num, plural, setMsg, svg } from './dom.js';
import { api } from './api.js';
import { rememberCompany, state } from './state.js';
import { loadAudit } from './audit.js';

// The review lives in the companies tab, which the tabs open: manage.js hands the way there in.
let openBar = function () {};
export function onOpenBar(handler) { openBar = handler; }

/** A link to a company's review: a real address (a new tab works too), opened in place on click or Enter. */
function companyLink(make, attrs, d, children) {
  var link = make('a', Object.assign({ href: '?company=' + encodeURIComponent(d.id), 'data-company-id': d.id }, attrs));
  children.forEach(function (c) { link.appendChild(c); });
  link.addEventListener('click', function (e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    e.preventDefault();
    openBar(d.id, d.name);
  });
  return link;
}

export function loadStats() {
  var mine = ++state.statsSeq;
  var message = $('stats-message');
  setMsg(message, 'Loading…', 'info');
  setMsg($('audit-message'), '');
  var stats = api('GET', 'stats').then(function (s) {
    if (mine !== state.statsSeq) return;
    setMsg(message, '');
    state.stats = s;
    renderFigures(s);
    renderCharts();
  }, function (e) {
    if (mine !== state.statsSeq || e.status === 401) return;
    setMsg(message, 'Could not load the statistics: ' + e.message, 'error');
  });
  var audit = loadAudit(mine);
  return Promise.all([stats, audit]);
}

export function renderCharts() {
  var s = state.stats;
  if (!s) return;
  renderPerUserChart(s.companies_per_user || []);
  renderBusiestChart(s.busiest_companies || []);
}

/** Charts are drawn at the width they are shown at, so their text stays readable on a phone. */
function chartWidth(box) {
  var w = Math.round(box.clientWidth || 0);
  return w ? Math.max(280, Math.min(720, w)) : 640;
}

function renderFigures(s) {
  var figures = [
    ['Users', num(s.users)],
    ['Active users', num(s.active_users)],
    ['Super admins', num(s.super_admins)],
    ['Companies', num(s.companies)],
    ['User–company grants', num(s.relationships)],
    ['Grants expired', num(s.expired_grants)],
    ['Grants scheduled', num(s.scheduled_grants)],
    ['Grants including branches', num(s.branch_grants)],
    ['Branch companies', num(s.branch_companies)],
    ['Users with several companies', num(s.users_with_multiple_companies)],
    ['Users without a company (super admins apart)', num(s.users_without_companies)],
    ['Companies without users', num(s.companies_without_users)],
    ['Average companies per user', (Number(s.average_companies_per_user) || 0).toLocaleString(undefined, { maximumFractionDigits: 2 })]
  ];
  $('stats-figures').replaceChildren.apply($('stats-figures'), figures.map(function (f) {
    return el('div', { class: 'figure' }, el('dt', {}, f[0]), el('dd', {}, f[1]));
  }));
}

function niceStep(max, count) {
  var raw = Math.max(max, 1) / count;
  var pow = Math.pow(10, Math.floor(Math.log10(raw)));
  var f = raw / pow;
  var step = (f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1) * pow;
  return Math.max(1, Math.round(step));
}

let chartCount = 0;
function chartFrame(width, height, title, desc) {
  var id = 'chart-' + (++chartCount);
  return svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'chart', role: 'img', 'aria-labelledby': id + '-t ' + id + '-d',
    preserveAspectRatio: 'xMidYMid meet', focusable: 'false' },
  svg('title', { id: id + '-t' }, title),
  svg('desc', { id: id + '-d' }, desc));
}

function renderPerUserChart(rows) {
  var data = rows.map(function (r) { return { x: Number(r.companies), y: Number(r.users) }; })
    .sort(function (a, b) { return a.x - b.x; });
  if (data.length) {
    var lo = data[0].x;
    var hi = data[data.length - 1].x;
    if (hi - lo <= 30) { // draw a continuous axis so empty buckets show as gaps
      var byX = new Map(data.map(function (d) { return [d.x, d.y]; }));
      data = [];
      for (var x = lo; x <= hi; x++) data.push({ x: x, y: byX.get(x) || 0 });
    }
  }
  var table = $('chart-per-user-table');
  table.replaceChildren.apply(table, data.map(function (d) {
    return el('tr', {}, el('td', {}, num(d.x)), el('td', {}, num(d.y)));
  }));
  var box = $('chart-per-user');
  if (!data.length) { box.replaceChildren(el('p', { class: 'empty' }, 'No users yet.')); return; }

  var max = Math.max.apply(null, data.map(function (d) { return d.y; }));
  var step = niceStep(max, 4);
  var top = Math.max(step, Math.ceil(max / step) * step);
  // Room on the left for the widest tick label plus the rotated axis title.
  var W = chartWidth(box), H = W < 480 ? 240 : 300, m = { t: 24, r: 12, b: 52, l: 34 + 8 * num(top).length };
  var iw = W - m.l - m.r, ih = H - m.t - m.b;
  var desc = data.map(function (d) { return plural(d.y, 'user has', 'users have') + ' ' + plural(d.x, 'company', 'companies'); }).join('; ') + '.';
  var chart = chartFrame(W, H, 'Number of users by how many companies they have', desc);
  chart.classList.add('chart-per-user');

  for (var v = 0; v <= top; v += step) {
    var gy = m.t + ih - (v / top) * ih;
    chart.appendChild(svg('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: gy, y2: gy }));
    chart.appendChild(svg('text', { class: 'tick', x: m.l - 8, y: gy + 4, 'text-anchor': 'end' }, num(v)));
  }
  var band = iw / data.length;
  var bw = Math.max(2, Math.min(64, band * 0.72));
  data.forEach(function (d) {
    var i = data.indexOf(d);
    var h = (d.y / top) * ih;
    var x = m.l + i * band + (band - bw) / 2;
    var y = m.t + ih - h;
    var bar = svg('rect', { class: 'bar', x: x.toFixed(1), y: y.toFixed(1), width: bw.toFixed(1), height: Math.max(h, d.y ? 1 : 0).toFixed(1),
      'data-companies': d.x, 'data-users': d.y },
    svg('title', {}, plural(d.x, 'company', 'companies') + ': ' + plural(d.y, 'user', 'users')));
    chart.appendChild(bar);
    if (data.length <= 24 && d.y > 0) {
      chart.appendChild(svg('text', { class: 'value', x: (x + bw / 2).toFixed(1), y: (y - 6).toFixed(1), 'text-anchor': 'middle' }, num(d.y)));
    }
    if (data.length <= 24 || i % Math.ceil(data.length / 24) === 0) {
      chart.appendChild(svg('text', { class: 'tick', x: (x + bw / 2).toFixed(1), y: m.t + ih + 18, 'text-anchor': 'middle' }, num(d.x)));
    }
  });
  chart.appendChild(svg('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih }));
  chart.appendChild(svg('text', { class: 'axis-label', x: m.l + iw / 2, y: H - 10, 'text-anchor': 'middle' }, 'Companies per user'));
  chart.appendChild(svg('text', { class: 'axis-label', x: 14, y: m.t + ih / 2, 'text-anchor': 'middle',
    transform: 'rotate(-90 14 ' + (m.t + ih / 2) + ')' }, 'Users'));
  box.replaceChildren(chart);
}

function renderBusiestChart(rows) {
  var data = rows.map(function (r) { rememberCompany(r.company_id, r.name); return { name: r.name, id: r.company_id, y: Number(r.users) }; });
  var table = $('chart-busiest-table');
  table.replaceChildren.apply(table, data.map(function (d) {
    return el('tr', {}, el('td', {}, companyLink(el, { class: 'link' }, d, [document.createTextNode(d.name)])), el('td', {}, num(d.y)));
  }));
  var box = $('chart-busiest');
  if (!data.length) { box.replaceChildren(el('p', { class: 'empty' }, 'No companies yet.')); return; }

  var W = chartWidth(box);
  var rowH = 30, labelW = Math.round(Math.min(180, W * 0.36));
  var maxChars = 40;
  var m = { t: 8, r: 48, b: 28, l: labelW };
  var H = m.t + data.length * rowH + m.b;
  var iw = W - m.l - m.r;
  var max = Math.max.apply(null, data.map(function (d) { return d.y; }));
  var step = niceStep(max, 4);
  var top = Math.max(step, Math.ceil(max / step) * step);
  var desc = data.map(function (d) { return d.name + ': ' + plural(d.y, 'user', 'users'); }).join('; ') + '.';
  var chart = chartFrame(W, H, 'Users granted each of the busiest companies', desc);
  chart.classList.add('chart-busiest');
  // Its bars are links, which an image's children could not be: the chart is a group of them.
  chart.setAttribute('role', 'group');
  for (var v = 0; v <= top; v += step) {
    var gx = m.l + (v / top) * iw;
    chart.appendChild(svg('line', { class: 'grid', x1: gx, x2: gx, y1: m.t, y2: H - m.b }));
    chart.appendChild(svg('text', { class: 'tick', x: gx, y: H - m.b + 18, 'text-anchor': 'middle' }, num(v)));
  }
  data.forEach(function (d, i) {
    var y = m.t + i * rowH + 5;
    var w = (d.y / top) * iw;
    var label = d.name.length > maxChars ? d.name.slice(0, maxChars - 1) + '…' : d.name;
    chart.appendChild(svg('text', { class: 'label', x: m.l - 8, y: y + rowH / 2 + 1, 'text-anchor': 'end', 'data-full': d.name }, label));
    var bar = svg('rect', { class: 'bar bar-company', x: m.l, y: y, width: Math.max(w, d.y ? 1 : 0).toFixed(1), height: rowH - 10,
      'data-company': d.name, 'data-users': d.y });
    // The whole row (bar and the room beside it) is the target, so a short bar is as easy to hit as a long one.
    var target = svg('rect', { class: 'bar-target', x: m.l, y: y - 4, width: iw.toFixed(1), height: rowH - 2 });
    chart.appendChild(companyLink(svg, { class: 'bar-link', 'aria-label': d.name + ': ' + plural(d.y, 'user', 'users')
      + '. Open its access review' }, d, [svg('title', {}, d.name + ': ' + plural(d.y, 'user', 'users') + ' (open the access review)'),
      target, bar]));
    chart.appendChild(svg('text', { class: 'value', x: (m.l + w + 6).toFixed(1), y: y + rowH / 2 + 1 }, num(d.y)));
  });
  chart.appendChild(svg('line', { class: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }));
  box.replaceChildren(chart);
  // Now that the text is laid out, shorten the company names that do not fit their column.
  chart.querySelectorAll('text.label').forEach(function (t) {
    var full = t.getAttribute('data-full');
    var keep = full.length;
    while (keep > 4 && t.getComputedTextLength && t.getComputedTextLength() > labelW - 12) {
      keep--;
      t.textContent = full.slice(0, keep) + '…';
    }
  });
}
