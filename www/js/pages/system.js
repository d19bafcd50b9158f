// System: general settings (hostname, domain, time zone, DNS, web GUI).
import { singletonForm } from '../single.js';

export const title = 'System: Settings';
export const subsys = ['system'];

const labels = { dnsserver: 'DNS servers', webgui_protocol: 'Web GUI protocol', webgui_port: 'Web GUI port' };

export async function render(ctx, root) {
  root.append(await singletonForm(ctx, { sec: 'system', title: 'General', labels, order: ['hostname', 'domain', 'timezone', 'language', 'dnsserver'] }));
}
