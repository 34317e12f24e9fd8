// The widget's Subscribe control in Chromium, with a real SMTP server
// (Debian's aiosmtpd, writing a Maildir): the bell opens "Notify of" with
// its two choices and an address field, the request answers "check your
// inbox", the confirmation email's link confirms in the browser, and a new
// comment then arrives as a notice. The comment form offers "Notify me of
// replies".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur, waitForWidget } from './harness.mjs';

const T = { timeout: 120000 };
let amur;
let browser;
let smtp;
let maildir;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the SMTP server did not listen on ${port}`);
}

// Python's Maildir names a message "SECONDS.M<microseconds>P<pid>Q<count>.host"
// without padding, so names do not sort by time ("M99999" > "M100000"); the
// Q counter of the one aiosmtpd process does.
const deliveryOrder = (name) => Number(/Q(\d+)/.exec(name)?.[1] ?? 0);

// The decoded text/plain part of every message to `to`, oldest first.
function messagesTo(to) {
  const dir = path.join(maildir, 'box', 'new');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort((a, b) => deliveryOrder(a) - deliveryOrder(b)).map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
    .filter((raw) => new RegExp(`^To: ${to}\\r?$`, 'mi').test(raw))
    .map((raw) => {
      const part = raw.slice(raw.search(/Content-Type: text\/plain/i));
      const body = part.slice(part.search(/\r?\n\r?\n/));
      const b64 = body.split(/\r?\n--/)[0].replace(/\s+/g, '');
      return Buffer.from(b64, 'base64').toString('utf8');
    });
}

async function waitForMail(to, count) {
  for (let i = 0; i < 300; i++) {
    const got = messagesTo(to);
    if (got.length >= count) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} message(s) to ${to}, got ${messagesTo(to).length}`);
}

before(async () => {
  maildir = fs.mkdtempSync(path.join(os.tmpdir(), 'amur-maildir-'));
  const port = await freePort();
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
    '-c', 'aiosmtpd.handlers.Mailbox', path.join(maildir, 'box')], { stdio: 'ignore' });
  await waitForPort(port);
  amur = await startAmur(['--smtp', `smtp://127.0.0.1:${port}`,
    '--mail-from', 'Amur Comments <comments@example.com>', '--digest-minutes', '0']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  smtp?.kill('SIGTERM');
  if (maildir) fs.rmSync(maildir, { recursive: true, force: true });
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

test('a reader subscribes with the bell, confirms, and is told of a new comment', T, async () => {
  const { page, problems } = await openReader(browser);
  await page.goto(`${amur.url}/demo`);
  const w = await waitForWidget(page);
  const bell = w.locator('button.amur-bell');
  assert.match(await bell.textContent(), /Subscribe/);
  assert.equal(await bell.getAttribute('aria-expanded'), 'false');
  await bell.click();
  // (The panel comes from embed-more.js, fetched on first use.)
  await w.locator('button.amur-bell[aria-expanded="true"]').waitFor();
  const panel = w.locator('form.amur-subscribe-form');
  assert.equal(await bell.getAttribute('aria-controls'), await panel.getAttribute('id'));
  assert.equal(await panel.locator('legend').textContent(), 'Notify of');
  const labels = (await panel.locator('label').allTextContents()).map((s) => s.trim());
  assert.deepEqual(labels, ['new follow-up comments', 'new replies to my comments', 'Email']);
  // A bad address is refused with the server's message; nothing is sent.
  await panel.locator('input[type=email]').fill('not an address');
  await panel.locator('button[type=submit]').click();
  await panel.locator('.amur-error').waitFor();
  await panel.locator('input[type=email]').fill('bell.reader@example.com');
  await panel.locator('button[type=submit]').click();
  await panel.locator('.amur-notice', { hasText: 'Check your inbox' }).waitFor();
  await page.screenshot({ path: saveArtifact('subscribe-panel.png') });

  const [confirm] = await waitForMail('bell.reader@example.com', 1);
  const link = /(http:\/\/127\.0\.0\.1:\d+\/subscriptions\/confirm\?token=[A-Za-z0-9_-]+)/.exec(confirm)[1];
  await page.goto(link);
  assert.equal(await page.locator('h1').textContent(), 'Subscription confirmed');

  await amur.post('/demo', 'A new comment for the subscriber.', { author_name: 'Noor' });
  const mails = await waitForMail('bell.reader@example.com', 2);
  assert.match(mails[1], /A new comment for the subscriber\./);
  assert.match(mails[1], /Unsubscribe: http/);
  // The one console line is Chromium's note of the refused address's 400.
  assert.deepEqual(problems.consoleErrors.map((e) => /status of 400/.test(e)), [true], 'console errors');
  assert.deepEqual(problems.offLoopback, [], 'requests left loopback');
});

test('the comment form offers "Notify me of replies"', T, async () => {
  const { page, problems } = await openReader(browser);
  await page.goto(`${amur.url}/demo`);
  const w = await waitForWidget(page);
  const form = w.locator('form.amur-form').first();
  await form.locator('textarea').fill('Tell me when someone answers this.');
  await form.locator('input[name=author_email]').fill('form.reader@example.com');
  await form.getByLabel('Notify me of replies by email').check();
  await form.locator('button[type=submit]').click();
  await w.locator('li.amur-item', { hasText: 'Tell me when someone answers this.' }).waitFor();
  const [confirm] = await waitForMail('form.reader@example.com', 1);
  assert.match(confirm, /replies to your comments/);
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
});

test('a moderator asks the desk for held comments by email', T, async () => {
  const mod = { email: 'mira@example.com', name: 'Mira Mod', password: 'a long moderator password' };
  addUser(amur.db, mod, 'moderator');
  const { page, problems } = await openReader(browser);
  await page.goto(`${amur.url}/admin`);
  await page.getByLabel('Email').fill(mod.email);
  await page.getByLabel('Password').fill(mod.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const toggle = page.getByLabel('Email me held comments');
  await toggle.waitFor();
  await page.waitForFunction(() => !document.getElementById('desk-held-mail').disabled);
  assert.equal(await toggle.isChecked(), false);
  await toggle.check();
  await page.waitForFunction(() => !document.getElementById('desk-held-mail').disabled);
  const who = await amur.bearer(mod);
  const subs = await amur.api('GET', '/api/v1/subscriptions', undefined, who);
  assert.deepEqual(subs.body.subscriptions.map((x) => [x.kind, x.status]), [['moderation', 'active']]);
  // A held comment (a link-heavy one the pipeline holds) reaches the moderator.
  const held = await amur.api('POST', '/api/v1/comments', { page: '/held-mail', author_name: 'Spammy',
    body: 'Buy now http://a.example http://b.example http://c.example http://d.example' });
  assert.equal(held.status, 202, JSON.stringify(held.body));
  const [notice] = await waitForMail(mod.email, 1);
  assert.match(notice, /held for moderation/);
  // And off again.
  await toggle.uncheck();
  await page.waitForFunction(() => !document.getElementById('desk-held-mail').disabled);
  const after = await amur.api('GET', '/api/v1/subscriptions', undefined, who);
  assert.deepEqual(after.body.subscriptions, []);
  // The desk asks who is signed in before the sign-in form: that one 401.
  assert.deepEqual(problems.consoleErrors.filter((e) => !/status of 401/.test(e)), [], 'console errors');
});
