// single.js — the form of a singleton section (get/set): system, HA
// settings, the outbound NAT mode.
import { api } from './api.js';
import { h, clear, notice } from './dom.js';
import { section } from './schema.js';
import { createForm } from './form.js';

// opts: {sec, title, labels, order, exclude, choices, after(values)}
export async function singletonForm(ctx, opts) {
  const sec = section(opts.sec);
  const data = await api.get(`${sec.base}/get`);
  const msg = h('div.pagemsg', { 'aria-live': 'polite' });
  const form = createForm({
    sec: opts.sec, values: data[sec.key], isNew: false, title: opts.title, labels: opts.labels, order: opts.order,
    exclude: opts.exclude, choices: opts.choices, submitLabel: 'Save',
    onSubmit: async (vals) => {
      clear(msg);
      await api.post(`${sec.base}/set`, { [sec.key]: vals });
      msg.append(notice('ok', 'The settings were saved.'));
      for (const p of form.el.querySelectorAll('input[type=password]')) p.value = '';
      await ctx.refresh();
      if (opts.after) await opts.after(vals);
    },
  });
  return h('section.card', {}, opts.title ? h('h2', {}, opts.title) : null, msg, form.el);
}
