// schema.js — the configuration model as /api/openapi.json describes it:
// each section's fields (type, enum, bounds, default, help), its body key
// and its controller. The generic list and form code is driven by this,
// so a new model field shows up in the GUI without GUI code.

import { api } from './api.js';

let doc = null;
let sections = null;

function fieldOf(name, s, required) {
  const xt = s['x-twinwall-type'] || s.type;
  return {
    name,
    xtype: xt,
    type: s.type,
    enum: s.enum || null,
    list: !!s['x-list'],
    ref: s['x-ref'] || null,
    min: s.minimum, max: s.maximum,
    // f_max is a length only for text-like fields that are not lists.
    maxLength: !s['x-list'] && ['text', 'name', 'hostname', 'peer', 'device'].includes(xt) ? s.maxLength : undefined,
    default: s.default === undefined ? '' : String(s.default),
    help: s.description || '',
    readOnly: !!s.readOnly,
    secret: !!s.writeOnly,
    required: required.has(name),
    bool: xt === 'bool',
  };
}

function build() {
  sections = {};
  const schemas = doc.components.schemas;
  // add_item first (twinwall's generic verbs, which every page uses);
  // add_<noun> only for a section without one, where a controller holds
  // two sections (routing/settings: gateways and gateway groups), not
  // the OPNsense aliases of a section that has add_item (cron/settings).
  const paths = Object.entries(doc.paths).sort(([a], [b]) =>
    (b.endsWith('/add_item') ? 1 : 0) - (a.endsWith('/add_item') ? 1 : 0));
  for (const [path, item] of paths) {
    const m = /^\/api\/([^/]+\/[^/]+)\/add_([a-z_]+)$/.exec(path);
    const body = m && item.post && item.post.requestBody;
    if (!body) continue;
    const sch = body.content['application/json'].schema;
    if (!sch || !sch.properties) continue;
    const key = Object.keys(sch.properties)[0];
    let ref = sch.properties[key];
    let req = [];
    if (ref.allOf) { req = ref.allOf[1].required || []; ref = ref.allOf[0]; }
    if (!ref.$ref) continue;
    const name = ref.$ref.split('/').pop();
    // search: the verb of the same noun (search_gateway_group, not the
    // controller's search_item, which lists gateways).
    if (!sections[name]) sections[name] = { name, key, base: m[1], search: `search_${m[2]}`, required: req };
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    const m = /^\/api\/([^/]+\/[^/]+)\/set$/.exec(path);
    const body = m && item.post && item.post.requestBody;
    if (!body) continue;
    const sch = body.content['application/json'].schema;
    const key = Object.keys(sch.properties)[0];
    const name = sch.properties[key].$ref.split('/').pop();
    sections[name] = { name, key, base: m[1], required: [], singleton: true };
  }
  for (const sec of Object.values(sections)) {
    const props = (schemas[sec.name] || {}).properties || {};
    const req = new Set(sec.required);
    sec.fields = Object.entries(props).map(([n, s]) => fieldOf(n, s, req));
    sec.field = (n) => sec.fields.find((f) => f.name === n);
  }
}

export async function loadSchema() {
  if (!doc) {
    doc = await api.get('openapi.json');
    build();
  }
  return { section, hasRoute };
}

// The section's description: {name, key, base, search, fields, field(n), singleton}.
export function section(name) {
  if (!sections || !sections[name]) throw new Error(`no section ${name} in openapi.json`);
  return sections[name];
}

// True when the API has a route starting with path ("core/hasync_status/sync").
export function hasRoute(path) {
  const p = '/api/' + path;
  return !!doc && Object.keys(doc.paths).some((k) => k === p || k.startsWith(p + '/'));
}
