// High availability settings: preempt, state sync (pfsync) and the
// XML-RPC configuration sync with the services to synchronize.
import { h } from '../dom.js';
import { singletonForm } from '../single.js';

export const title = 'System: High availability: Settings';
export const subsys = ['hasync'];

const labels = {
  disablepreempt: 'Disable preempt', pfsyncenabled: 'Synchronize states', pfsyncinterface: 'Synchronize interface',
  pfsyncpeerip: 'Synchronize peer IP', synchronizetoip: 'Synchronize config to IP', verifypeer: 'Verify peer',
  peerfingerprint: 'Peer certificate fingerprint', username: 'Remote system username', password: 'Remote system password',
  syncitems: 'Services to synchronize',
  livenessenabled: 'Peer liveness hellos', livenessinterval: 'Liveness hello interval (ms)',
  livenessmultiplier: 'Liveness detection multiplier',
  demoteupstream: 'Demote CARP when every upstream gateway is down',
};

export async function render(ctx, root) {
  root.append(h('p.intro', {}, 'Master: preempt on, state sync on over the dedicated link, config sync to the backup with its admin credentials. Backup: state sync only, no config sync settings.'));
  root.append(await singletonForm(ctx, { sec: 'hasync', title: 'Settings', labels, order: Object.keys(labels) }));
  root.append(h('p', {}, 'After saving, push the configuration from ', h('a', { href: '#/hastatus' }, 'High availability: Status'), '.'));
}
