// The live page of a Floe cluster: polls the server that served it (a node's GET /cluster, or the
// demo's) and draws every node side by side. Everything it loads comes from that server.
'use strict';

const POLL_MILLIS = 500;
const POLL_TIMEOUT_MILLIS = 4000;

const drawn = new Map();      // node id -> the JSON its column was last drawn from
let lastActivity = 0;         // the seq of the last activity line shown
let choicesFilled = false;

function el(tag, attributes, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined) {
      e.setAttribute(name, value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      e.append(child instanceof Node ? child : String(child));
    }
  }
  return e;
}

function number(name, value, field) {
  return el('div', {}, el('dt', {}, name), el('dd', { 'data-field': field }, value));
}

function roleOf(node) {
  if (node.state !== 'up') {
    return node.state === 'unknown' ? 'unknown' : 'down';
  }
  const s = node.view.status;
  if (s.role !== 'stopped' && s.membership === 'learner') {
    return 'learner';
  }
  if (s.role !== 'stopped' && s.membership === 'none') {
    return 'non-member';
  }
  return s.role;
}

function logTable(log) {
  if (log.entries.length === 0) {
    return el('p', { class: 'empty' }, 'no entries' +
        (log.firstIndex > 1 ? ' after the snapshot (up to ' + (log.firstIndex - 1) + ')' : ''));
  }
  const body = el('tbody');
  for (const e of log.entries) {
    body.append(el('tr', { class: e.committed ? 'committed' : 'uncommitted' },
        el('td', { class: 'index' }, e.index),
        el('td', { class: 'term t' + (e.term % 6) }, e.term),
        el('td', { class: 'entry', title: e.entry }, e.entry)));
  }
  return el('table', { class: 'log' },
      el('thead', {}, el('tr', {}, el('th', {}, 'index'), el('th', {}, 'term'), el('th', {}, 'entry'))),
      body);
}

function valuesList(values) {
  if (values.tail.length === 0) {
    return el('p', { class: 'empty' }, values.error || 'empty');
  }
  const list = el('ol', { class: 'values', start: values.lines - values.tail.length + 1 });
  for (const line of values.tail) {
    list.append(el('li', {}, line));
  }
  return list;
}

function drawNode(node) {
  const role = roleOf(node);
  const card = el('article', {
    class: 'node', id: 'node-' + node.id, 'data-node': node.id, 'data-state': node.state,
    'data-role': role,
  });
  card.append(el('header', {}, el('h2', {}, node.id), el('span', { class: 'role' }, role)));
  if (node.state === 'up') {
    const s = node.view.status;
    card.append(el('dl', { class: 'numbers' },
        number('term', s.term, 'term'),
        number('leader', s.leader || '\u2013', 'leader'),
        number('commit', s.commitIndex, 'commit'),
        number('applied', s.appliedIndex, 'applied'),
        number('last', s.lastIndex, 'last'),
        number('snapshot', s.snapshotIndex, 'snapshot')));
    if (s.failure) {
      card.append(el('p', { class: 'reason' }, 'stopped taking part: ' + s.failure));
    }
    const log = node.view.log;
    card.append(el('h3', {}, 'Raft log ', el('small', {},
        log.entries.length === 0 ? '' : 'entries ' + log.entries[0].index + '\u2013' +
            log.entries[log.entries.length - 1].index + ' of ' + log.firstIndex + '\u2013' +
            log.lastIndex)));
    card.append(logTable(log));
    card.append(el('h3', {}, 'values.log ', el('small', {}, node.view.values.lines + ' lines')));
    card.append(valuesList(node.view.values));
  } else {
    card.append(el('p', { class: 'reason' }, node.reason || node.state));
    if (node.values) {
      card.append(el('h3', {}, 'values.log ',
          el('small', {}, node.values.lines + ' lines, as left on disk')));
      card.append(valuesList(node.values));
    }
  }
  return card;
}

function drawNodes(nodes) {
  const section = document.getElementById('nodes');
  const seen = new Set();
  nodes.forEach((node, position) => {
    seen.add(node.id);
    const json = JSON.stringify(node);
    let card = document.getElementById('node-' + node.id);
    if (card && drawn.get(node.id) === json) {
      return;
    }
    const fresh = drawNode(node);
    if (card) {
      card.replaceWith(fresh);
    } else {
      section.insertBefore(fresh, section.children[position] || null);
    }
    drawn.set(node.id, json);
  });
  for (const card of Array.from(section.children)) {
    if (!seen.has(card.dataset.node)) {
      drawn.delete(card.dataset.node);
      card.remove();
    }
  }
}

function drawSummary(nodes) {
  let leader = null;
  let term = 0;
  for (const node of nodes) {
    if (node.state !== 'up') {
      continue;
    }
    const s = node.view.status;
    term = Math.max(term, s.term);
    if (s.role === 'leader' && (leader === null || s.term > leader.term)) {
      leader = { id: s.id, term: s.term };
    }
  }
  document.getElementById('leader').textContent = leader ? leader.id : 'none (an election is due)';
  document.getElementById('term').textContent = term;
}

function fillChoices(nodes) {
  if (choicesFilled) {
    return;
  }
  for (const id of ['transfer-to', 'catch-up-node']) {
    const select = document.getElementById(id);
    for (const node of nodes) {
      select.append(el('option', { value: node.id }, node.id));
    }
  }
  choicesFilled = true;
}

function drawLab(cluster) {
  const lab = document.getElementById('lab');
  lab.hidden = false;
  fillChoices(cluster.nodes);
  document.getElementById('running').textContent = cluster.running || 'idle';
  for (const button of lab.querySelectorAll('button')) {
    button.disabled = cluster.running !== null;
  }
  const list = document.getElementById('activity');
  for (const line of cluster.activity) {
    if (line.seq > lastActivity) {
      list.append(el('li', {}, el('span', { class: 'time' }, line.time), line.text));
      lastActivity = line.seq;
    }
  }
  while (list.children.length > 200) {
    list.firstChild.remove();
  }
  if (cluster.activity.length > 0) {
    list.scrollTop = list.scrollHeight;
  }
}

async function refresh() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), POLL_TIMEOUT_MILLIS);
  try {
    const response = await fetch('cluster', { cache: 'no-store', signal: abort.signal });
    if (!response.ok) {
      throw new Error('HTTP ' + response.status);
    }
    const cluster = await response.json();
    drawNodes(cluster.nodes);
    drawSummary(cluster.nodes);
    if (cluster.demo) {
      drawLab(cluster);
    }
    document.getElementById('updated').textContent =
        'updated ' + new Date().toLocaleTimeString();
    document.body.classList.remove('stale');
  } catch (e) {
    document.getElementById('updated').textContent = 'no answer from the server (' + e.message +
        '); retrying';
    document.body.classList.add('stale');
  } finally {
    clearTimeout(timer);
    setTimeout(refresh, POLL_MILLIS);
  }
}

async function act(action, query, body) {
  const response = await fetch('demo/' + action + (query || ''), {
    method: 'POST',
    headers: { 'Floe-Demo-Action': action, 'Content-Type': 'text/plain; charset=utf-8' },
    body: body || '',
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
    const list = document.getElementById('activity');
    list.append(el('li', { class: 'refused' }, 'refused: ' + answer.error));
  }
}

function query(name, value) {
  return value ? '?' + name + '=' + encodeURIComponent(value) : '';
}

function wire() {
  const on = (id, handler) => document.getElementById(id).addEventListener('click', handler);
  on('submit', () => {
    const input = document.getElementById('values-input');
    act('submit', '', input.value);
    input.value = '';
  });
  on('transfer', () => act('leadership', query('to', document.getElementById('transfer-to').value)));
  on('crash', () => act('crash-leader'));
  on('repair', () => act('repair-follower'));
  on('catch-up', () => act('catch-up', query('node', document.getElementById('catch-up-node').value)));
  on('start-stopped', () => act('start-stopped'));
  document.getElementById('values-input').addEventListener('keydown', e => {
    if (e.key === 'Enter') {
      document.getElementById('submit').click();
    }
  });
  refresh();
}

wire();
