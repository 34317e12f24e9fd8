// Shared parts of the browser tests: a real `amur serve` on a loopback port
// with a fresh SQLite file, a second origin that embeds the widget, Debian's
// Chromium driven by playwright-core, and watchers that collect what a page
// must never do (console errors, dialogs, requests that leave loopback).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AMUR_BIN = process.env.AMUR_BIN || path.join(ROOT, 'build/debug/amur');
export const ARTIFACTS = process.env.AMUR_E2E_ARTIFACTS || path.join(ROOT, 'build/e2e-artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Starts `amur serve` on 127.0.0.1:0 with a temporary database; resolves
// once it prints its address. `flags` are extra `amur serve` flags.
// `demoComments`: keep the demo article's two example inline comments (off
// by default, so that /demo starts empty). `seedModel`: start from the seed
// model as a real site does (off by default: training it takes seconds in the
// sanitized build, and the desk tests do not depend on it).
export async function startAmur(flags = [], { demoComments = false, seedModel = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amur-e2e-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--database', `sqlite:${dir}/amur.db`,
    '--posts-per-minute', '0', ...(demoComments ? [] : ['--no-demo-comments']),
    ...(seedModel ? [] : ['--no-seed-model']), ...flags];
  const proc = spawn(AMUR_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`amur did not start: ${stderr}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`amur exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    db: path.join(dir, 'amur.db'),
    async stop() {
      proc.kill('SIGTERM');
      let timer;
      const r = await Promise.race([exited, new Promise((res) => { timer = setTimeout(() => res(null), 15000); })]);
      clearTimeout(timer);
      if (!r) proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      return r;
    },
    stderr: () => stderr,
    // The JSON API, for setting up data and checking results.
    async api(method, p, body, headers = {}) {
      const init = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const r = await fetch(url + p, init);
      const text = await r.text();
      return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
    },
    async post(page, body, extra = {}) {
      const r = await this.api('POST', '/api/v1/comments', { page, body, ...extra });
      if (r.status !== 201 && r.status !== 202) throw new Error(`post failed: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    // Posts a comment that must be held (a pre-moderated server); its id.
    async postHeld(page, body, authorName) {
      const r = await this.post(page, body, { author_name: authorName });
      if (r.comment.state !== 'pending') throw new Error(`not held: ${JSON.stringify(r.comment)}`);
      return r.comment.id;
    },
    // A bearer session of an account made with addUser, for API calls.
    async bearer(who) {
      const r = await this.api('POST', '/api/v1/auth/login', { email: who.email, password: who.password });
      if (r.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(r.body)}`);
      return { Authorization: `Bearer ${r.body.token}` };
    },
    async list(page, query = '') {
      return (await this.api('GET', `/api/v1/comments?page=${encodeURIComponent(page)}${query}`)).body;
    },
  };
}

// Adds an account to a server's database with `amur user add` (the password
// through AMUR_PASSWORD, as an operator would).
export function addUser(db, u, role) {
  const r = spawnSync(AMUR_BIN, ['user', 'add', '--email', u.email, '--name', u.name, '--role', role,
    '--database', `sqlite:${db}`], {
    env: { ...process.env, AMUR_PASSWORD: u.password, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0' },
    encoding: 'utf8', timeout: 60000,
  });
  if (r.status !== 0) throw new Error(`amur user add failed: ${r.stderr}`);
}

// German words for the widget, as a host page would set them.
const GERMAN = `<script>window.AmurMessages = {
  comments: function (n) { return n + (n === 1 ? ' Kommentar' : ' Kommentare'); },
  post: 'Kommentar senden', namePlaceholder: 'Gast', upvote: 'Daumen hoch',
  oldest: '\u00c4lteste', justNow: 'gerade eben', join: 'Diskutieren Sie mit'
};</script>`;

// A second origin on loopback: GET /article?page=KEY&limit=N&theme=T&lang=de
// answers a host article page that embeds the widget from `amurUrl()` the
// way a news site would (one div, one async script).
export async function startHost(amurUrl) {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname !== '/article') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const key = u.searchParams.get('page') || '/host/article';
    const limit = u.searchParams.get('limit');
    const theme = u.searchParams.get('theme');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host article</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>body{font-family:Georgia,serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.6}
button{background:hotpink;border:4px solid lime;text-transform:uppercase}li{list-style:square}</style>
${u.searchParams.get('lang') === 'de' ? GERMAN : ''}</head><body>
<article><h1>A host article</h1><p>The site's own text, before its comment section.</p></article>
<div id="amur-thread" data-amur-page="${attr(key)}" data-amur-title="A host article"${limit ? ` data-amur-limit="${attr(limit)}"` : ''}${theme ? ` data-amur-theme="${attr(theme)}"` : ''}></div>
<script src="${attr(amurUrl())}/embed.js" async></script>
</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stop: () => new Promise((resolve) => server.close(resolve)) };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A fresh browser context (its own localStorage: one reader) and a page
// whose misdeeds are collected in `problems`.
export async function openReader(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = { offLoopback: [], consoleErrors: [], dialogs: [] };
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:') return;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) problems.offLoopback.push(r.url());
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => problems.consoleErrors.push(String(e)));
  page.on('dialog', (d) => { problems.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  return { context, page, problems };
}

// The live widget (not the server-rendered section it replaces).
export function widget(page) {
  return page.locator('section.amur-w');
}

export async function waitForWidget(page) {
  await page.locator('section.amur-w[data-amur-ready]').waitFor({ state: 'visible', timeout: 15000 });
  return widget(page);
}

export function saveArtifact(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
