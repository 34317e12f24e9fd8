// The moderation desk at /admin: sign-in (wrong password, member account,
// moderator), the pending queue with its reasons, decisions by click and by
// keyboard (J/K, A, R, S, B), a hostile comment shown as text, the public
// listing afterwards, and the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AMUR_BIN, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

const T = { timeout: 120000 };
const MOD = { email: 'mia@example.com', name: 'Mia Moderator', password: 'correct horse battery' };
const MEMBER = { email: 'max@example.com', name: 'Max Member', password: 'member password 1' };
const PAGE = '/news/2024/river-border';
const HOSTILE_NAME = '<script>alert(2)</script>Eve"><img src=x onerror=alert(3)>';
const HOSTILE_BODY = '<img src=x onerror=alert(1)>';

let amur;
let browser;
let dbPath;
const ids = {};

// startAmur makes its database under os.tmpdir(); point that at a directory
// of our own so that `amur user add` can reach the same file.
async function startWithKnownDatabase(flags) {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'amur-admin-e2e-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = parent;
  try {
    const server = await startAmur(flags);
    const [dir] = fs.readdirSync(parent).filter((d) => d.startsWith('amur-e2e-'));
    return { server, parent, db: path.join(parent, dir, 'amur.db') };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved;
  }
}

function addUser(u, role) {
  const r = spawnSync(AMUR_BIN, ['user', 'add', '--email', u.email, '--name', u.name, '--role', role,
    '--database', `sqlite:${dbPath}`], {
    env: { ...process.env, AMUR_PASSWORD: u.password, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0' },
    encoding: 'utf8', timeout: 60000,
  });
  assert.equal(r.status, 0, `amur user add failed: ${r.stderr}`);
}

let tmpParent;
before(async () => {
  const started = await startWithKnownDatabase(['--premoderate']);
  amur = started.server;
  tmpParent = started.parent;
  dbPath = started.db;
  addUser(MOD, 'moderator');
  addUser(MEMBER, 'member');
  // Oldest first; the queue shows them newest first:
  // approve, keep, reject, spam, hostile.
  const post = async (key, body, name) => {
    const r = await amur.post(PAGE, body, { author_name: name });
    assert.equal(r.comment.state, 'pending');
    ids[key] = r.comment.id;
  };
  await post('hostile', HOSTILE_BODY, HOSTILE_NAME);
  await post('spam', 'Cheap watches! https://a.example https://b.example https://c.example https://d.example', 'Watch Deals');
  await post('reject', 'Everyone who disagrees with me is an idiot.', 'Rude Ron');
  await post('keep', 'Needs a second opinion: is the treaty date right?', 'Careful Cara');
  await post('approve', 'A thoughtful point about the **1858** treaty and the river.', 'Ana Reader');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  if (tmpParent) fs.rmSync(tmpParent, { recursive: true, force: true });
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

async function signIn(page, who) {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function item(page, id) {
  return page.locator(`[role="option"][data-id="${id}"]`);
}

// Chromium logs every 401 answer as a console error. The desk gets 401 by
// design from /auth/me when signed out and from /auth/login for a wrong
// password; those are allowed, any other 401 or console error is not.
const FAILED_401 = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

async function open(options) {
  const reader = await openReader(browser, options);
  reader.problems.unauthorized = [];
  reader.page.on('response', (r) => { if (r.status() === 401) reader.problems.unauthorized.push(new URL(r.url()).pathname); });
  return reader;
}

function clean(problems) {
  for (const p of problems.unauthorized) assert.match(p, /^\/api\/v1\/auth\/(me|login)$/);
  const logged401 = problems.consoleErrors.filter((m) => m === FAILED_401).length;
  assert.equal(logged401, problems.unauthorized.length);
  assert.deepEqual(problems.consoleErrors.filter((m) => m !== FAILED_401), []);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.offLoopback, []);
}

describe('the moderation desk', () => {
  test('is a static shell with a strict CSP and its own assets', T, async () => {
    const r = await fetch(`${amur.url}/admin`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await r.text();
    assert.match(html, /<script src="\/assets\/admin\.js" defer><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/admin\.css">/);
    assert.doesNotMatch(html, /<script>|style=/);
    for (const [name, type] of [['admin.js', /^text\/javascript/], ['admin.css', /^text\/css/]]) {
      const a = await fetch(`${amur.url}/assets/${name}`);
      assert.equal(a.status, 200);
      assert.match(a.headers.get('content-type'), type);
    }
    assert.equal((await fetch(`${amur.url}/admin`, { method: 'POST' })).status, 405);
  });

  test('a wrong password or an unknown email gets the same answer', T, async () => {
    const { context, page, problems } = await open();
    await page.goto(`${amur.url}/admin`);
    await signIn(page, { email: MOD.email, password: 'not the password' });
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Wrong email or password.' }).waitFor();
    const wrong = await alert.textContent();
    await signIn(page, { email: 'nobody@example.com', password: 'not the password' });
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('.desk-signin button').disabled);
    assert.equal(await alert.textContent(), wrong);
    assert.equal(await page.getByRole('tab').count(), 0);
    clean(problems);
    await context.close();
  });

  test('a member is told they are not a moderator', T, async () => {
    const { context, page, problems } = await open();
    await page.goto(`${amur.url}/admin`);
    await signIn(page, MEMBER);
    await page.getByRole('heading', { name: 'Not a moderator' }).waitFor();
    await page.getByText('Only moderators and admins can use the moderation desk').waitFor();
    assert.equal(await page.getByRole('tab').count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    clean(problems);
    await context.close();
  });

  test('a moderator works through the pending queue by mouse and keyboard', T, async () => {
    const { context, page, problems } = await open();
    await page.goto(`${amur.url}/admin`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, MOD);
    await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
    const list = page.getByRole('listbox', { name: 'Pending comments' });
    await item(page, ids.hostile).waitFor();

    // Newest first, with page, author, reasons, score and reports.
    const order = await list.locator('[role="option"]').evaluateAll((ns) => ns.map((n) => n.dataset.id));
    assert.deepEqual(order, [ids.approve, ids.keep, ids.reject, ids.spam, ids.hostile]);
    const first = item(page, ids.approve);
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    assert.equal(await first.locator('.desk-page').textContent(), PAGE);
    assert.equal(await first.locator('.desk-author').textContent(), 'Ana Reader');
    assert.equal(await first.locator('.desk-body strong').textContent(), '1858');
    await first.locator('.desk-chip', { hasText: 'Pre-moderation' }).waitFor();
    await first.locator('.desk-score', { hasText: /Score \d/ }).waitFor();
    await first.locator('.desk-reports', { hasText: '0 reports' }).waitFor();
    await item(page, ids.spam).locator('.desk-chip', { hasText: 'Too many links' }).waitFor();
    await page.locator('.desk-help', { hasText: 'approve' }).waitFor();

    // The hostile comment is shown as text, and nothing of it runs.
    const hostile = item(page, ids.hostile);
    assert.equal(await hostile.locator('.desk-author').textContent(), HOSTILE_NAME);
    assert.equal(await page.locator('img[onerror], .desk-main script').count(), 0);
    assert.match(await hostile.locator('.desk-body').textContent(), /<img src=x onerror=alert\(1\)>/);

    await page.screenshot({ path: saveArtifact('admin.png'), fullPage: true });

    // Approve by clicking: the item leaves and the next one is selected.
    await first.getByRole('button', { name: `Approve ${ids.approve}` }).click();
    await page.getByRole('status').filter({ hasText: `Approved ${ids.approve}` }).waitFor();
    await first.waitFor({ state: 'detached' });
    const keep = item(page, ids.keep);
    assert.equal(await keep.getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), ids.keep);

    // J moves down, K back up, J again; R rejects.
    await page.keyboard.press('j');
    assert.equal(await item(page, ids.reject).getAttribute('aria-selected'), 'true');
    assert.equal(await keep.getAttribute('aria-selected'), 'false');
    await page.keyboard.press('k');
    assert.equal(await keep.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    await page.getByRole('status').filter({ hasText: `Rejected ${ids.reject}` }).waitFor();
    await item(page, ids.reject).waitFor({ state: 'detached' });
    assert.equal(await item(page, ids.spam).getAttribute('aria-selected'), 'true');

    // S marks the selected one as spam; B bans the next one's author.
    await page.keyboard.press('s');
    await page.getByRole('status').filter({ hasText: `Marked as spam ${ids.spam}` }).waitFor();
    assert.equal(await hostile.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('b');
    await page.getByRole('status').filter({ hasText: `Banned the author of ${ids.hostile}` }).waitFor();
    await hostile.waitFor({ state: 'detached' });
    assert.deepEqual(await list.locator('[role="option"]').evaluateAll((ns) => ns.map((n) => n.dataset.id)), [ids.keep]);
    assert.equal(await keep.getAttribute('aria-selected'), 'true');

    // Shortcuts are ignored while typing.
    await page.evaluate(() => {
      const i = document.createElement('input');
      i.id = 'scratch';
      i.setAttribute('aria-label', 'scratch');
      document.body.appendChild(i);
    });
    await page.locator('#scratch').focus();
    await page.keyboard.type('a');
    await page.waitForTimeout(200);
    await keep.waitFor();
    await page.evaluate(() => document.getElementById('scratch').remove());

    // Only the approved comment is public.
    const listing = await amur.list(PAGE);
    assert.deepEqual(listing.comments.map((c) => c.id), [ids.approve]);
    assert.equal(listing.page.comment_count, 1);

    // The other queues show the decisions.
    await page.getByRole('tab', { name: 'Rejected' }).click();
    await item(page, ids.reject).waitFor();
    await item(page, ids.hostile).waitFor();
    assert.equal(await item(page, ids.reject).getByRole('button', { name: `Reject ${ids.reject}` }).isDisabled(), true);
    await page.getByRole('tab', { name: 'Spam' }).click();
    await item(page, ids.spam).waitFor();

    // The audit log lists every decision, newest first.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const rows = page.locator('table.desk-audit tbody tr');
    await rows.first().waitFor();
    const entries = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (td) => td.textContent)));
    const seen = entries.map(([, actor, action, id]) => `${actor}|${action}|${id}`);
    for (const expected of [`${MOD.name}|approve|${ids.approve}`, `${MOD.name}|reject|${ids.reject}`,
      `${MOD.name}|spam|${ids.spam}`, `${MOD.name}|ban|${ids.hostile}`, `${MOD.name}|reject|${ids.hostile}`]) {
      assert.ok(seen.includes(expected), `audit lacks ${expected}: ${JSON.stringify(seen)}`);
    }
    await page.screenshot({ path: saveArtifact('admin-audit.png'), fullPage: true });

    // Still signed in after a reload; then sign out.
    await page.reload();
    await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
    await item(page, ids.keep).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await page.context().request.get(`${amur.url}/api/v1/auth/me`)).status(), 401);

    clean(problems);
    await context.close();
  });

  test('looks right in dark mode', T, async () => {
    const { context, page, problems } = await open({ colorScheme: 'dark' });
    await page.goto(`${amur.url}/admin`);
    await signIn(page, MOD);
    await item(page, ids.keep).waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(18, 20, 22)');
    await page.screenshot({ path: saveArtifact('admin-dark.png'), fullPage: true });
    clean(problems);
    await context.close();
  });
});
