// A board page's live console, read-only: each 'console' event's data is the console's bytes
// exactly, so a line cut between two events joins up again.
'use strict';
const pre = document.getElementById('console');
const es = new EventSource(location.pathname + '/console/stream');
es.addEventListener('hello', () => document.body.dataset.live = 'open');
es.addEventListener('console', ev => {
  pre.append(document.createTextNode(ev.data));
  if (pre.textContent.length > 262144) pre.textContent = pre.textContent.slice(-131072);
  pre.scrollTop = pre.scrollHeight;
});
