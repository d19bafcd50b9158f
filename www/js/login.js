// login.js — POST /api/core/login; the session cookie comes back HttpOnly.
import { api } from './api.js';

const form = document.getElementById('login');
const msg = document.getElementById('login-msg');

// Only a local path may follow the login (no open redirect).
function nextUrl() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return /^\/(?![/\\])/.test(n) && !n.startsWith('/login.html') ? n : '/';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  msg.textContent = '';
  msg.className = '';
  const username = form.username.value.trim();
  const password = form.password.value;
  try {
    await api.post('core/login', { username, password });
    location.replace(nextUrl());
  } catch (e) {
    form.password.value = '';
    msg.className = 'notice error';
    // 429: this address failed too often; the message says how long to wait.
    msg.textContent = e.status === 401 ? 'Wrong username or password.'
      : e.status === 429 ? `Too many failed logins from this address: ${e.message.replace(/^Too Many Requests: /, '')}.`
        : `Login failed: ${e.message}`;
    form.password.focus();
  }
});
