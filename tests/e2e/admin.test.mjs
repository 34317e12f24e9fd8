// The moderation desk at /admin: sign-in (wrong password, member account,
// moderator), the pending queue with its reasons, decisions by click and by
// keyboard (J/K, A, R, S, B), a hostile comment shown as text, the public
// listing afterwards, and the audit log. Then, on a second server without
// pre-moderation: editing and pinning published comments from the Reported
// queue, closing a page in the Pages tab, and the Settings tab for a
// moderator (read only) and an admin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

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

before(async () => {
  amur = await startAmur(['--premoderate']);
  dbPath = amur.db;
  addUser(dbPath, MOD, 'moderator');
  addUser(dbPath, MEMBER, 'member');
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

// `expected` lists other statuses the test provokes on purpose (Chromium logs
// each failed answer as a console error), e.g. [400, 404].
function clean(problems, expected = []) {
  for (const p of problems.unauthorized) assert.match(p, /^\/api\/v1\/auth\/(me|login)$/);
  const logged401 = problems.consoleErrors.filter((m) => m === FAILED_401).length;
  assert.equal(logged401, problems.unauthorized.length);
  const provoked = (m) => expected.some((code) => m.startsWith(`Failed to load resource: the server responded with a status of ${code} `));
  assert.deepEqual(problems.consoleErrors.filter((m) => m !== FAILED_401 && !provoked(m)), []);
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
    // B opens the ban dialog (7 days and "reject" preselected); Enter confirms.
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: `Ban the author of ${ids.hostile}` });
    await dialog.waitFor();
    await dialog.getByText(`Ban ${HOSTILE_NAME} for 7 days and reject ${ids.hostile}?`).waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
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

  test('editing a held comment starts empty, with a note', T, async () => {
    const { context, page, problems } = await open();
    await page.goto(`${amur.url}/admin`);
    await signIn(page, MOD);
    const keep = item(page, ids.keep);
    await keep.waitFor();
    await keep.getByRole('button', { name: `Edit ${ids.keep}` }).click();
    const area = page.getByLabel(`Markdown of ${ids.keep}`);
    await keep.locator('.desk-note', { hasText: 'not published cannot be loaded' }).waitFor();
    await page.waitForFunction((id) => document.activeElement?.id === `edit-${id}`, ids.keep);
    assert.equal(await area.inputValue(), '');
    assert.equal(await keep.getByRole('button', { name: `Edit ${ids.keep}` }).getAttribute('aria-expanded'), 'true');
    // A, R, S typed here are text; Escape closes the editor and focus returns to the comment.
    await page.keyboard.type('ars');
    assert.equal(await area.inputValue(), 'ars');
    await page.keyboard.press('Escape');
    await keep.locator('.desk-editor').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), ids.keep);
    await page.getByRole('status').filter({ hasText: 'Edit cancelled.' }).waitFor();
    clean(problems, [404]);
    await context.close();
  });
});

describe('desk tools on published comments', () => {
  const ADMIN = { email: 'ada@example.com', name: 'Ada Admin', password: 'admin password 12' };
  const PAGE2 = '/news/2024/ferry-timetable';
  const c = {};
  let srv;

  before(async () => {
    // Reports count per network for the reported queue: the reporters come
    // from distinct addresses through loopback as a trusted proxy.
    srv = await startAmur(['--trusted-proxy', '127.0.0.1/32']);
    addUser(srv.db, MOD, 'moderator');
    addUser(srv.db, ADMIN, 'admin');
    c.older = (await srv.post(PAGE2, 'An older comment on the timetable.', { author_name: 'Olga' })).comment.id;
    c.main = (await srv.post(PAGE2, 'The **ferry** leaves at 8.', { author_name: 'Fred' })).comment.id;
    c.reply = (await srv.post(PAGE2, 'No, at nine.', { author_name: 'Nina', parent_id: c.main })).comment.id;
    for (const id of [c.main, c.reply]) {
      for (let n = 1; n <= 3; n++) {
        const r = await srv.api('POST', `/api/v1/comments/${id}/reports`, { reason: 'abuse' },
          { 'X-Amur-Voter': `reporter-${n}-of-desk-tools`, 'X-Forwarded-For': `198.51.100.${n}` });
        assert.equal(r.status, 202, JSON.stringify(r.body));
      }
    }
  });

  after(async () => {
    const exit = await srv?.stop();
    assert.equal(exit?.code, 0, `amur did not exit cleanly: ${srv?.stderr()}`);
  });

  async function desk(who, options) {
    const reader = await open(options);
    await reader.page.goto(`${srv.url}/admin`);
    await signIn(reader.page, who);
    await reader.page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
    return reader;
  }

  test('a moderator edits and pins a reported comment', T, async () => {
    const { context, page, problems } = await desk(MOD);
    await page.getByRole('tab', { name: 'Reported' }).click();
    const main = item(page, c.main);
    await main.waitFor();
    await item(page, c.reply).waitFor();
    await main.locator('.desk-reports', { hasText: '3 reports' }).waitFor();

    // E opens the editor on the selected comment with its Markdown source.
    await main.locator('.desk-body').click();
    assert.equal(await main.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('e');
    const area = page.getByLabel(`Markdown of ${c.main}`);
    await page.waitForFunction((id) => {
      const t = document.getElementById(`edit-${id}`);
      return t && !t.disabled && document.activeElement === t;
    }, c.main);
    assert.equal(await area.inputValue(), 'The **ferry** leaves at 8.');
    // Keys typed into the editor are text, not shortcuts.
    await area.fill('');
    await page.keyboard.type('Corrected: the **ferry** leaves at 9. ras');
    await main.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Saved ${c.main}.` }).waitFor();
    await main.locator('.desk-edited', { hasText: `Last edited by ${MOD.name}` }).waitFor();
    assert.equal(await main.locator('.desk-body strong').textContent(), 'ferry');
    assert.match(await main.locator('.desk-body').textContent(), /leaves at 9\. ras/);
    assert.equal(await main.locator('.desk-editor').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), c.main);

    let listing = await srv.list(PAGE2);
    assert.deepEqual(listing.comments.map((x) => x.id), [c.older, c.main]);
    const edited = listing.comments[1];
    assert.match(edited.body_html, /Corrected: the <strong>ferry<\/strong> leaves at 9\. ras/);
    assert.equal(edited.edited_by, MOD.name);

    // Pin: the comment leads the public listing; Unpin puts it back.
    await main.getByRole('button', { name: `Pin ${c.main}` }).click();
    await page.getByRole('status').filter({ hasText: `Pinned ${c.main}` }).waitFor();
    await main.getByRole('button', { name: `Unpin ${c.main}` }).waitFor();
    assert.equal(await main.getByRole('button', { name: `Unpin ${c.main}` }).getAttribute('aria-pressed'), 'true');
    listing = await srv.list(PAGE2);
    assert.deepEqual(listing.comments.map((x) => x.id), [c.main, c.older]);
    assert.equal(listing.comments[0].pinned, true);
    assert.equal((await srv.list(PAGE2, '&sort=newest')).comments[0].id, c.main);

    // A reply cannot be pinned: the server's message is shown.
    await item(page, c.reply).getByRole('button', { name: `Pin ${c.reply}` }).click();
    await page.getByRole('alert').filter({ hasText: 'Only top-level comments can be pinned.' }).waitFor();
    assert.equal(await item(page, c.reply).getByRole('button', { name: `Pin ${c.reply}` }).isEnabled(), true);

    await page.screenshot({ path: saveArtifact('admin-reported.png'), fullPage: true });
    clean(problems, [400]);
    await context.close();
  });

  test('a moderator closes a page in the Pages tab', T, async () => {
    const { context, page, problems } = await desk(MOD);
    await page.getByRole('tab', { name: 'Pages' }).click();
    const key = page.getByLabel('Page key');
    await key.fill('/no/such/page');
    await page.getByRole('button', { name: 'Find' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /\S/ }).waitFor();
    const r404 = await context.request.get(`${srv.url}/api/v1/admin/pages?page=${encodeURIComponent('/no/such/page')}`);
    assert.equal(r404.status(), 404);
    assert.equal(await alert.textContent(), (await r404.json()).error.message);

    await key.fill(PAGE2);
    await page.getByRole('button', { name: 'Find' }).click();
    const row = page.locator(`tr[data-page="${PAGE2}"]`);
    await row.waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    const closed = page.getByLabel(`Closed to new comments: ${PAGE2}`);
    assert.equal(await closed.isChecked(), false);
    assert.equal(await page.getByLabel(`Pre-moderate every comment: ${PAGE2}`).isChecked(), false);
    await closed.check();
    await page.getByRole('status').filter({ hasText: `Saved page ${PAGE2} (closed).` }).waitFor();
    assert.equal(await page.locator('#desk-alert').textContent(), ''); // the alert is cleared

    const refused = await srv.api('POST', '/api/v1/comments', { page: PAGE2, body: 'Too late?' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'page_closed');
    assert.equal((await srv.list(PAGE2)).page.closed, true);

    // Open it again, so that the page is as it was.
    await closed.uncheck();
    await page.getByRole('status').filter({ hasText: `Saved page ${PAGE2}.` }).waitFor();
    assert.equal((await srv.list(PAGE2)).page.closed, false);
    clean(problems, [404]);
    await context.close();
  });

  test('a moderator sees the settings read only and may not change them', T, async () => {
    const { context, page, problems } = await desk(MOD);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByText('Read only: only admins may change settings.').waitFor();
    const banned = page.getByLabel('Banned terms');
    assert.equal(await banned.getAttribute('readonly'), '');
    assert.notEqual(await banned.inputValue(), '');
    assert.equal(await page.getByLabel('Hold comments with suspect terms').isDisabled(), true);
    const shouting = page.getByLabel('Hold comments written mostly in capitals');
    assert.equal(await shouting.isDisabled(), true);
    assert.equal(await shouting.isChecked(), true);
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    // E and the other keys do nothing here.
    await page.keyboard.press('e');
    assert.equal(await page.locator('.desk-editor').count(), 0);

    // The server refuses a moderator's change, too.
    const me = await context.request.get(`${srv.url}/api/v1/auth/me`);
    const { csrf_token: csrf } = await me.json();
    const put = await context.request.put(`${srv.url}/api/v1/admin/settings`,
      { data: { max_links: 9 }, headers: { 'X-CSRF-Token': csrf } });
    assert.equal(put.status(), 403);
    assert.equal((await put.json()).error.message, 'Only admins may change settings.');
    await page.screenshot({ path: saveArtifact('admin-settings-moderator.png'), fullPage: true });
    clean(problems);
    await context.close();
  });

  test('an admin changes the settings; a bad threshold is refused', T, async () => {
    const { context, page, problems } = await desk(ADMIN);
    await page.getByRole('tab', { name: 'Settings' }).click();
    const links = page.getByLabel('Most links per comment');
    await links.waitFor();
    await page.screenshot({ path: saveArtifact('admin-settings.png'), fullPage: true });
    const before = await (await context.request.get(`${srv.url}/api/v1/admin/settings`)).json();
    assert.equal(await links.inputValue(), String(before.max_links));
    assert.equal(await page.locator('#set-examples').textContent(), String(before.classifier_examples));

    assert.equal(before.hold_shouting, true);
    const shouting = page.getByLabel('Hold comments written mostly in capitals');
    assert.equal(await shouting.isChecked(), true);
    await links.fill(String(before.max_links + 2));
    await page.getByLabel('Allowed words').fill(`${before.terms.allow}\nferryman\n`);
    await shouting.uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: /^Saved$/ }).waitFor();
    const now = await (await context.request.get(`${srv.url}/api/v1/admin/settings`)).json();
    assert.equal(now.max_links, before.max_links + 2);
    assert.match(now.terms.allow, /^ferryman$/m);
    assert.equal(now.classifier_threshold, before.classifier_threshold);
    assert.equal(now.hold_shouting, false);
    assert.equal(now.hold_suspect, before.hold_suspect);
    assert.equal(await page.getByLabel('Hold comments written mostly in capitals').isChecked(), false);
    assert.equal(await page.getByLabel('Most links per comment').inputValue(), String(before.max_links + 2));

    await page.getByLabel('Classifier threshold (0–1)').fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /\S/ }).waitFor();
    assert.equal((await (await context.request.get(`${srv.url}/api/v1/admin/settings`)).json()).classifier_threshold,
      before.classifier_threshold);
    clean(problems, [400]);
    await context.close();
  });
});
