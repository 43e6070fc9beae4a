// A board page's live console: each 'console' event's data is the console's bytes exactly, so a
// line cut between two events joins up again. Read-only, unless this browser holds a session
// for the board (rigctl console --web): then a line typed goes to the console.
'use strict';
const pre = document.getElementById('console');
const es = new EventSource(location.pathname + '/console/stream');
es.addEventListener('hello', () => document.body.dataset.live = 'open');
es.addEventListener('console', ev => {
  pre.append(document.createTextNode(ev.data));
  if (pre.textContent.length > 262144) pre.textContent = pre.textContent.slice(-131072);
  pre.scrollTop = pre.scrollHeight;
});

const mode = document.getElementById('console-mode');
const form = document.getElementById('console-type');
const line = document.getElementById('console-line');
const base = location.pathname + '/console/';
// Every POST carries the header another site's page cannot send without the server's leave.
const post = (what, body) => fetch(base + what, {
  method: 'POST', body, credentials: 'same-origin',
  headers: {'X-Rig-Console': '1', 'Content-Type': 'text/plain'},
}).then(r => r.json().then(j => ({status: r.status, j})));
const readOnly = why => {
  form.hidden = true;
  if (why) mode.textContent = 'Read-only: ' + why;
  document.body.dataset.write = 'no';
};
const writable = () => {
  form.hidden = false;
  mode.textContent = 'You hold this board: a line typed below goes to its console.';
  document.body.dataset.write = 'yes';
  line.focus();
};
const type = async text => {
  const r = await post('input', text);
  if (r.status === 200) return true;
  if (r.status === 403) readOnly(r.j.error);  // the session is over
  else mode.textContent = r.j.error;          // the rig is using the console: try again
  return false;
};

(async () => {
  // The link's token is in the fragment (never sent to a server): traded for a cookie once,
  // and taken out of the address bar and the history at once.
  const m = /^#token=([0-9a-f]+)$/.exec(location.hash);
  try {
    if (m) {
      history.replaceState(null, '', location.pathname + location.search);
      const r = await post('session', m[1]);
      if (r.status !== 200) return readOnly(r.j.error);
    }
    const s = await (await fetch(base + 'session', {credentials: 'same-origin'})).json();
    if (s.write) writable(); else readOnly(m ? s.why : '');
  } catch (e) {
    readOnly('the dashboard did not answer (' + e + ')');
  }
})();
form.addEventListener('submit', async ev => {
  ev.preventDefault();
  if (await type(line.value + '\n')) line.value = '';
});
document.getElementById('console-ctrl-c').addEventListener('click', () => type('\x03'));
