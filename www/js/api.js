// api.js — the REST API as the browser uses it: session cookie, the
// X-CSRFToken on every POST, 401 sends the user to the login page.

let csrf = '';

export class ApiError extends Error {
  constructor(status, data) {
    super((data && (data.message || data.result)) || `HTTP ${status}`);
    this.status = status;
    this.data = data || {};
  }
  get validations() { return this.data.validations || null; }
}

export function setCsrf(token) { csrf = token || ''; }

export function toLogin() {
  const next = location.pathname + location.hash;
  location.replace('/login.html?next=' + encodeURIComponent(next));
}

// Query string with OPNsense's nested form: sort[field]=asc.
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') for (const [k2, v2] of Object.entries(v)) q.append(`${k}[${k2}]`, v2);
    else q.append(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// Requests in flight, on <html data-pending>: tests wait for 0.
let pending = 0;
function busy(n) { pending += n; document.documentElement.dataset.pending = String(pending); }

async function call(method, path, body, params) {
  busy(1);
  try {
    return await send(method, path, body, params);
  } finally {
    busy(-1);
  }
}

async function send(method, path, body, params) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method === 'POST') {
    opts.headers['X-CSRFToken'] = csrf;
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body || {});
  }
  const r = await fetch('/api/' + path + query(params), opts);
  let data = null;
  const text = await r.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
  if (r.status === 401 && path !== 'core/login') { toLogin(); throw new ApiError(401, data); }
  if (!r.ok) throw new ApiError(r.status, data);
  // As OPNsense, a refused save is HTTP 200 {"result":"failed","validations":{...}}.
  if (method === 'POST' && data && data.result === 'failed') throw new ApiError(r.status, data);
  return data;
}

// An item as get_item answers it (OPNsense's option fields are
// {key:{value,selected}}) with plain values: the selected keys, comma-joined.
export function plainItem(item) {
  const out = {};
  for (const [k, v] of Object.entries(item || {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.entries(v).filter(([, o]) => o && (o.selected === 1 || o.selected === '1' || o.selected === true)).map(([key]) => key).join(',');
    } else out[k] = v;
  }
  return out;
}

export const api = {
  get: (path, params) => call('GET', path, null, params),
  post: (path, body) => call('POST', path, body),
  // Paths may carry user-chosen parts: encode each.
  path: (...parts) => parts.map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/'),
};
