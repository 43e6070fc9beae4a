// The lab page's live part: told of a change by /events, it fetches the page again and puts
// its #lab in place (one fetch at a time: a burst of changes is one more fetch, not a storm),
// and lists the change under #live. Without JavaScript the page is whole as served.
'use strict';
const live = document.getElementById('live');
function note(t) { const li = document.createElement('li'); li.textContent = t; live.prepend(li); }
const es = new EventSource('/events');
es.addEventListener('hello', () => document.body.dataset.live = 'open');
let busy = false, waiting = [];
function reload() {
  return new Promise(res => { waiting.push(res); if (!busy) fetchLab(); });
}
async function fetchLab() {
  busy = true;
  while (waiting.length) {
    const told = waiting.splice(0);
    try {
      const r = await fetch('/', {cache: 'no-store'});
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      if (r.ok) document.getElementById('lab').replaceWith(doc.getElementById('lab'));
    } catch (e) { document.body.dataset.live = 'lost'; }
    told.forEach(f => f());
  }
  busy = false;
}
es.addEventListener('change', async ev => {
  let d = {}; try { d = JSON.parse(ev.data); } catch (e) {}
  await reload();
  note(new Date().toISOString() + ' ' + (d.kind || 'change') + ' ' + (d.board || '') + (d.run > 0 ? ' run ' + d.run : ''));
});
es.onerror = () => { document.body.dataset.live = 'lost'; };
