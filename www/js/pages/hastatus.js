// High availability status: the backup's versions and services, push the
// configuration now (Synchronize), or push and restart every service on
// the backup; the last result and the drift between the two nodes.
import { api } from '../api.js';
import { h, clear, notice, kvTable, rowsTable, rowsOf, flatten } from '../dom.js';
import { hasRoute } from '../schema.js';

export const title = 'System: High availability: Status';
export const subsys = ['hasync'];

const B = 'core/hasync_status';

// A card that fills itself from a GET; an error is shown, never hidden.
async function panel(heading, path, draw) {
  const body = h('div', {}, 'Loading…');
  const card = h('section.card', { dataset: { panel: path.split('/').pop() } }, h('h2', {}, heading), body);
  try {
    const ans = await api.get(path);
    clear(body).append(draw(ans));
  } catch (e) {
    clear(body).append(e.status === 404 ? notice('warn', 'Not available in this build yet.') : notice('error', `${heading}: ${e.message}`));
  }
  return card;
}

// Sync results, one line each: when, who started it, outcome, message.
export function syncRows(rows) {
  return rows.map((r) => ({ time: r.time, trigger: r.trigger, status: r.status, sections: [].concat(r.sections || []).join(', '), message: r.message }));
}

function drawLast(ans) {
  const rows = rowsOf(ans);
  if (!rows) return drawAny(ans);
  return rows.length ? rowsTable(syncRows(rows.slice(0, 10))) : h('p', {}, 'No synchronization yet.');
}

function drawAny(ans) {
  const rows = rowsOf(ans);
  if (rows) return rowsTable(rows);
  return kvTable(flatten(ans));
}

// The outcome of a sync as the API returns it (ok, or why not).
function outcome(what, ans, err) {
  if (err) {
    const extra = err.data && (err.data.vips || err.data.not_master);
    return notice('error', `${what} failed: ${err.message}`, extra ? ` (${[].concat(extra).join(', ')})` : '');
  }
  const ok = !ans.status || ans.status === 'ok' || ans.result === 'ok';
  const detail = { ...ans };
  delete detail.status;
  return h('div', {}, notice(ok ? 'ok' : 'error', `${what}: ${ok ? 'done' : ans.message || ans.status}`), Object.keys(detail).length ? kvTable(flatten(detail)) : null);
}

export async function render(ctx, root) {
  if (!hasRoute(`${B}/sync`)) {
    root.append(notice('warn', 'Configuration sync is not available in this build yet (no core/hasync_status API).'));
  }
  const result = h('div.result', { 'aria-live': 'polite', id: 'sync-result' });
  const panels = h('div.cards');
  const wide = h('div');
  async function reloadPanels() {
    const [ver, drift, last, svc] = await Promise.all([
      panel('Backup firewall versions', `${B}/version`, drawAny),
      panel('Configuration drift', `${B}/drift`, drawAny),
      panel('Last synchronizations', `${B}/last`, drawLast),
      panel('Services on the backup', `${B}/services`, drawAny),
    ]);
    clear(panels).append(ver, drift);
    clear(wide).append(last, svc);
  }
  async function run(what, path, btns) {
    btns.forEach((b) => { b.disabled = true; });
    clear(result).append(notice('info', `${what}…`));
    let ans = null; let err = null;
    try { ans = await api.post(path); } catch (e) { err = e; }
    clear(result).append(outcome(what, ans, err));
    btns.forEach((b) => { b.disabled = false; });
    await reloadPanels();
  }
  if (ctx.writable) {
    const sync = h('button.primary', { type: 'button' }, 'Synchronize');
    const all = h('button', { type: 'button' }, 'Synchronize and reconfigure all');
    sync.addEventListener('click', () => run('Synchronize', `${B}/sync`, [sync, all]));
    all.addEventListener('click', () => run('Synchronize and reconfigure all', `${B}/restart_all`, [sync, all]));
    root.append(h('section.card', {}, h('h2', {}, 'Push the configuration to the backup'),
      h('p.intro', {}, 'Runs only while every CARP VIP on this node is MASTER. Sections not selected in the HA settings are not sent.'),
      h('div.actions', {}, sync, all), result));
  }
  root.append(panels, wide);
  await reloadPanels();
}
