// Virtual IPs: Status — each VIP's CARP state, the node's demotion, and
// the two ways to move VIPs by hand: temporary disable, or persistent
// maintenance mode (demotion; survives a restart).
import { api } from '../api.js';
import { h, clear, notice, kvTable, rowsTable, rowsOf, flatten } from '../dom.js';
import { hasRoute } from '../schema.js';

export const title = 'Interfaces: Virtual IPs: Status';
export const subsys = ['vip'];

const B = 'diagnostics/interface/carp_status';

export function carpOf(ans) { return ans.carp || ans; }
export function inMaintenance(ans) { const c = carpOf(ans); return String(c.maintenancemode ?? c.maintenance ?? '0') === '1' || c.maintenancemode === true || c.maintenance === true; }
export function carpAllowed(ans) { const c = carpOf(ans); return !(String(c.allow ?? '1') === '0' || c.allow === false || c.enabled === false); }

// The liveness channel to the peer (hellos on the sync link and every
// CARP interface): whether the peer is heard, and on which paths.
export function livenessCard(lv) {
  if (!lv) return null;
  const peer = lv.peer || 'off';
  const cls = peer === 'up' ? 'ok' : peer === 'lost' ? 'failed' : 'warn';
  return h('section.card', { id: 'carp-liveness' }, h('h2', {}, 'Peer liveness'),
    h('p', {}, 'Peer ', h(`span.badge.${cls}`, {}, peer),
      lv.enabled ? ` · hellos every ${lv.interval_ms} ms, peer lost after ${lv.multiplier} missed on every path (${lv.detect_s} s)` : ' · channel off: CARP\'s own timers only',
      lv.peer_lost ? ` · lost ${lv.peer_lost} time(s)` : ''),
    (lv.paths || []).length ? rowsTable(lv.paths.map((p) => ({ path: p.interface, self: p.self, peer: p.peer || '(not known yet)', state: p.state, received: p.received, sent: p.sent, 'send errors': p.send_errors, downs: p.downs }))) : h('p', {}, 'No paths.'),
    h('details', {}, h('summary', {}, 'Hellos refused, by reason'), kvTable(lv.packets || {})));
}

// hasync.demoteupstream: this node's upstream gateways against the
// peer's (from its hellos), and whether the node demotes itself for it.
export function upstreamCard(up) {
  if (!up) return null;
  const badge = (s) => h(`span.badge.${s === 'up' ? 'ok' : s === 'down' ? 'failed' : 'warn'}`, {}, s);
  return h('section.card', { id: 'carp-upstream' }, h('h2', {}, 'Upstream demotion'),
    h('p', {}, up.enabled ? (up.demoted ? h('span.badge.failed', {}, 'demoted') : h('span.badge.ok', {}, 'not demoted')) : h('span.badge', {}, 'off'),
      ' · our upstream ', badge(up.local), ' · the peer\'s ', badge(up.peer),
      up.hold_down_s > 0 ? ` · demote after ${up.hold_down_s} s down, lift after ${up.hold_up_s} s up` : '',
      up.pending_s >= 0 ? ` · changing in ${up.pending_s.toFixed(1)} s` : ''),
    h('p', {}, up.reason));
}

export async function render(ctx, root) {
  const msg = h('div', { 'aria-live': 'polite', id: 'carp-result' });
  const body = h('div');
  root.append(msg, body);

  async function act(what, path, payload) {
    try {
      const ans = await api.post(path, payload);
      clear(msg).append(notice(ans.status === 'failed' ? 'error' : 'ok', `${what}: ${ans.message || ans.status || ans.result || 'done'}`));
    } catch (e) {
      clear(msg).append(notice('error', `${what} failed: ${e.message}`));
    }
    await draw();
  }

  async function draw() {
    let ans;
    try { ans = await api.get('diagnostics/interface/get_vip_status'); } catch (e) {
      clear(body).append(notice('error', `The CARP status could not be read: ${e.message}`));
      return;
    }
    const vips = rowsOf(ans) || [];
    const carp = carpOf(ans);
    const maint = inMaintenance(ans);
    const allowed = carpAllowed(ans);
    const state = h('p', { id: 'carp-state' },
      'CARP is ', h(`span.badge.${allowed ? 'ok' : 'failed'}`, {}, allowed ? 'enabled' : 'temporarily disabled'),
      ' · maintenance mode ', h(`span.badge.${maint ? 'warn' : 'ok'}`, {}, maint ? 'on (persistent)' : 'off'),
      carp.demotion !== undefined ? ` · demotion ${carp.demotion}` : '');
    const buttons = [];
    if (ctx.writable && hasRoute(B)) {
      buttons.push(allowed
        ? h('button', { type: 'button', onclick: () => act('Disable CARP', `${B}/disable`) }, 'Temporarily disable CARP')
        : h('button', { type: 'button', onclick: () => act('Enable CARP', `${B}/enable`) }, 'Enable CARP'));
      buttons.push(maint
        ? h('button.primary', { type: 'button', onclick: () => act('Leave maintenance mode', `${B}/maintenance/0`) }, 'Leave persistent CARP maintenance mode')
        : h('button.primary', { type: 'button', onclick: () => act('Enter maintenance mode', `${B}/maintenance/1`) }, 'Enter persistent CARP maintenance mode'));
    }
    const extra = { ...flatten(carp) };
    clear(body).append(
      h('section.card', {}, h('h2', {}, 'CARP'), state,
        !hasRoute(B) ? notice('warn', 'Disable and maintenance mode are not available in this build yet (no carp_status API).') : null,
        h('p.intro', {}, 'Temporary disable drops this node out of every VHID at once (a short outage); persistent maintenance mode raises the demotion so the peer takes every VIP without an outage, and survives a restart.'),
        h('div.actions', {}, buttons)),
      h('section.card', {}, h('h2', {}, 'Virtual IPs'), vips.length ? rowsTable(vips.map((v) => ({ interface: v.interface, vhid: v.vhid, address: v.subnet || v.address, status: v.status || v.state, advbase: v.advbase, advskew: v.advskew, mode: v.mode }))) : h('p', {}, 'No CARP VIPs are running on this node.')),
      ...[livenessCard(ans.liveness), upstreamCard(ans.upstream)].filter(Boolean),
      h('details.card', {}, h('summary', {}, 'Details'), kvTable(extra)));
  }
  await draw();
}
