// Dashboard: this node's role, every VIP's state, demotion/maintenance,
// the interfaces now (addresses, DHCP client and lease), every gateway's
// status as the monitor sees it, the last sync and drift, who is guessing
// at the management plane, what is in force, the failover timeline, and
// (in the banners above) every dirty section with its Apply button.
import { api } from '../api.js';
import { h, clear, notice, kvTable, rowsTable, rowsOf, flatten, fmtDuration } from '../dom.js';
import { carpOf, inMaintenance } from './vipstatus.js';
import { syncRows } from './hastatus.js';

export const title = 'Dashboard';
export const subsys = '*';

function roleOf(vips) {
  const carp = vips.filter((v) => !v.mode || v.mode === 'carp');
  if (!carp.length) return ['standalone', 'No CARP VIPs: this node is not part of an HA pair yet.'];
  const st = carp.map((v) => String(v.status || v.state || '').toUpperCase());
  if (st.every((s) => s === 'MASTER')) return ['master', 'This node holds every VIP.'];
  if (st.every((s) => s === 'BACKUP')) return ['backup', 'The peer holds every VIP.'];
  return ['split', 'VIPs are split between the nodes: check links and demotion.'];
}

// core/system/throttle: one line on guessing and floods, then the
// sources that are locked out or failing, worst first.
function accessCard(t) {
  const c = t.counters || {};
  const bad = (t.sources || []).filter((r) => r.failures > 0);
  const line = `${t.locked || 0} source${t.locked === 1 ? '' : 's'} locked out, ` +
    `${c.auth_failures || 0} failed credentials, ${c.answered_429 || 0} answered 429, ` +
    `${c.answered_503 || 0} busy (503), ${t.connections || 0} open connections`;
  return h('div', { id: 'access' }, h('p', {}, line),
    bad.length ? rowsTable(bad.slice(0, 5).map((r) => ({ source: r.source, failures: r.failures,
      locked: r.locked ? `${r.retry_after} s` : 'no', 'last try': `${r.last_kind} as ${r.last_name}` })))
      : h('p', {}, 'No failed logins or API keys recently.'));
}

async function card(heading, fn, cls = '') {
  const body = h('div', {}, 'Loading…');
  const el = h(`section.card${cls}`, {}, h('h2', {}, heading), body);
  fn().then((n) => clear(body).append(n), (e) => clear(body).append(
    e.status === 404 ? h('p.intro', {}, 'Not available in this build yet.') : notice('error', e.message)));
  return el;
}

// Seconds from now to a Unix time, as "in 3m 20s" / "3m 20s ago".
function fromNow(t) {
  if (!t) return '';
  const d = Math.round(t - Date.now() / 1000);
  return d >= 0 ? `in ${fmtDuration(d)}` : `${fmtDuration(-d)} ago`;
}

// The DHCPv6 lease of a WAN (address, delegated prefix, when they end)
// or the /64 a track6 LAN took of it (or why it has none).
export function lease6Text(l6, t6) {
  if (t6) {
    if (!t6.prefix) return `track6 of ${t6.interface} (id ${t6.prefix_id}): no delegated prefix yet`;
    return `track6 of ${t6.interface}: ${t6.address}, announced by radvd (${t6.radvd})`
      + (t6.valid_until ? `, valid ${fromNow(t6.valid_until)}` : '')
      + (t6.deprecated ? `; ${t6.deprecated} deprecated` : '');
  }
  if (!l6) return '';
  const parts = [];
  if (l6.address) parts.push(`${l6.address}${l6.address_valid ? '' : ' (expired)'}, valid ${fromNow(l6.address_valid_until)}`);
  if (l6.prefix) parts.push(`prefix ${l6.prefix}/${l6.prefix_len}${l6.prefix_valid ? '' : ' (expired)'}, valid ${fromNow(l6.prefix_valid_until)}`);
  return parts.join('; ') || 'DHCPv6: no address or prefix in the lease';
}

// One row per interface: what it has now, and for DHCP why it may not.
export function interfaceRows(rows) {
  return rows.map((r) => {
    const d = r.dhcp;
    const l = d && d.lease;
    let mode = r.link_type;
    if (d) {
      mode = `dhcp: ${d.client}`;
      if (!l && d.client === 'searching') mode += ' (no lease yet: no DHCP server answers on this link)';
    }
    return {
      interface: `${r.description} (${r.identifier})`,
      device: r.device || 'unassigned',
      addresses: (r.ipv4 || []).concat(r.ipv6 || []).map((a) => a.ipaddr).join(' ') || '-',
      mode,
      gateway: d ? `${d.gateway} ${d.gateway_address || '(none)'}` : (r.gateways || []).join(' '),
      lease: l ? `${l.address}/${l.prefix}, DNS ${(l.dns || []).join(' ') || '-'}, renew ${fromNow(l.renew)}, expires ${fromNow(l.expires)}` : '',
      ipv6: lease6Text(d && d.lease6, r.track6),
    };
  });
}

export async function render(ctx, root) {
  const st = ctx.status;
  const carp = api.get('diagnostics/interface/get_vip_status');
  const boot = st.boot || {};
  const bootText = boot.state === 'failed' ? `FAILED: ${boot.message} (the node stays demoted)`
    : boot.state === 'ok' ? `in force ${Number(boot.seconds || 0).toFixed(2)} s after start` : (boot.state || 'unknown');
  const dirty = st.dirty.length ? `${st.dirty.length} section${st.dirty.length > 1 ? 's' : ''} with unapplied changes` : 'all changes applied';
  root.append(h('div.cards', {},
    await card('This node', async () => {
      const ans = await carp;
      const [role, why] = roleOf(rowsOf(ans) || []);
      const c = carpOf(ans);
      return h('div', { id: 'role' }, h('p.big', {}, h(`span.badge.${role}`, {}, role.toUpperCase())), h('p', {}, why),
        kvTable({ hostname: st.hostname, version: st.version, platform: st.platform, uptime: fmtDuration(st.uptime), demotion: c.demotion ?? '0',
          'maintenance mode': inMaintenance(ans) ? 'on' : 'off', 'boot apply': bootText, configuration: dirty,
          ...(ans.upstream && ans.upstream.enabled ? { 'upstream demotion': ans.upstream.demoted ? `demoted: ${ans.upstream.reason}` : `not demoted (our upstream ${ans.upstream.local}, the peer's ${ans.upstream.peer})` } : {}),
          ...(c.status_msg ? { why: c.status_msg } : {}) }));
    }),
    await card('Virtual IPs', async () => {
      const vips = rowsOf(await carp) || [];
      return vips.length ? rowsTable(vips.map((v) => ({ interface: v.interface, vhid: v.vhid, address: v.subnet || v.address, status: v.status || v.state })))
        : h('p', {}, 'No VIPs. ', h('a', { href: '#/vips' }, 'Add a CARP VIP'), '.');
    }, '.span2'),
    await card('Interfaces', async () => {
      const rows = rowsOf(await api.get('interfaces/overview/interfaces_info')) || [];
      return h('div', { id: 'interfaces' }, rowsTable(interfaceRows(rows)));
    }, '.span2'),
    await card('Last synchronization', async () => { const a = await api.get('core/hasync_status/last'); const r = rowsOf(a); return r ? (r.length ? rowsTable(syncRows(r.slice(0, 3))) : h('p', {}, 'No synchronization yet.')) : kvTable(flatten(a)); }),
    await card('Configuration drift', async () => kvTable(flatten(await api.get('core/hasync_status/drift')))),
    await card('Management access', async () => accessCard(await api.get('core/system/throttle')))));
  root.append(await card('In force', async () => {
    const a = st.applied || {};
    const rows = Object.keys(a).map((k) => ({ subsystem: k, revision: a[k].revision, by: a[k].who || '',
      applied: a[k].time ? new Date(a[k].time * 1000).toLocaleString() : '', pending: a[k].pending ? 'yes' : '',
      'last attempt': a[k].ok === false ? `failed: ${a[k].message}` : 'ok' }));
    return h('div', { id: 'inforce' }, boot.state === 'failed' ? notice('error', `Boot apply failed: ${boot.message}`) : '', rowsTable(rows));
  }));
  root.append(await card('Gateways', async () => {
    const a = await api.get('routes/gateway/status');
    const items = a.items || [];
    if (!items.length) return h('p', {}, 'No gateways. ', h('a', { href: '#/gateways' }, 'Add a gateway'), '.');
    const changes = (a.timeline || []).slice(0, 5).map((t) => ({ time: new Date(t.time * 1000).toLocaleString(),
      gateway: t.name, from: t.from, to: t.to }));
    const groups = (a.groups || []).map((g) => ({ group: g.name, trigger: g.trigger,
      'tier in use': g.tier ? `${g.tier}: ${g.active.join(', ')}` : 'none: every member is out' }));
    return h('div', { id: 'gateways' }, rowsTable(items.map((i) => ({ name: i.name, address: i.address,
      status: i.status_translated, loss: i.loss, delay: i.delay, stddev: i.stddev, note: i.note || '' }))),
    groups.length ? rowsTable(groups) : '', changes.length ? rowsTable(changes) : '');
  }));
  root.append(await card('Failover timeline', async () => {
    const rows = rowsOf(await api.get('core/hasync_status/timeline', { limit: 20 })) || [];
    return rows.length ? rowsTable(rows) : h('p', {}, 'No CARP transitions yet.');
  }));
}
