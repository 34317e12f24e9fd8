// The moderation desk's newer parts, in headless Chromium: counts on the
// queue tabs and new comments waiting behind a notice (the list never moves
// under the moderator, a half-typed reason survives), a reason with each
// decision shown in the audit log, the ban dialog (keyboard B, Escape,
// Enter, length, reason, what to do with the comment), the Bans tab with
// Lift, the Pages tab showing each page's real flags with toggles, and the
// admins' Users tab. Screenshots of every tab go to build/e2e-artifacts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

const T = { timeout: 120000 };
const ADMIN = { email: 'ada@example.com', name: 'Ada Admin', password: 'admin password 1' };
const MOD = { email: 'mia@example.com', name: 'Mia Moderator', password: 'correct horse battery' };
const PAGE_A = '/news/2024/harbour-vote';
const PAGE_B = '/news/2024/bridge-tolls';
const TROLL = 'Troll <b>Tom</b>';

let amur;
let browser;
const ids = {};

before(async () => {
  amur = await startAmur(['--premoderate']);
  addUser(amur.db, ADMIN, 'admin');
  addUser(amur.db, MOD, 'moderator');
  ids.first = await amur.postHeld(PAGE_A, 'The harbour vote was close.', 'Hana');
  ids.second = await amur.postHeld(PAGE_A, 'Who counted the ballots?', 'Ivo');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

const FAILED_401 = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

function clean(problems, expected = []) {
  const provoked = (m) => expected.some((code) => m.startsWith(`Failed to load resource: the server responded with a status of ${code} `));
  assert.deepEqual(problems.consoleErrors.filter((m) => m !== FAILED_401 && !provoked(m)), []);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.offLoopback, []);
}

async function desk(who, query = '?refresh=1') {
  const reader = await openReader(browser);
  const { page } = reader;
  await page.goto(`${amur.url}/admin${query}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
  return reader;
}

function item(page, id) {
  return page.locator(`[role="option"][data-id="${id}"]`);
}

function count(page, queue) {
  return page.locator(`[data-count="${queue}"]`);
}

async function waitForText(locator, text) {
  await locator.page().waitForFunction(([el, t]) => el && el.textContent === t, [await locator.elementHandle(), text]);
}

describe('the moderation desk, live', () => {
  let mod;

  before(async () => { mod = await desk(MOD); });
  after(async () => { await mod.context.close(); });

  test('counts on the tabs; new comments wait behind a notice; a half-typed reason survives', T, async () => {
    const { page } = mod;
    await item(page, ids.second).waitFor();
    await waitForText(count(page, 'pending'), '2');
    assert.equal(await count(page, 'spam').textContent(), '0');
    // Select the older comment and start a reason (W focuses its field).
    await page.keyboard.press('j');
    assert.equal(await item(page, ids.first).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('w');
    assert.equal(await page.evaluate(() => document.activeElement.id), `reason-${ids.first}`);
    await page.keyboard.type('Off to');

    ids.third = await amur.postHeld(PAGE_B, 'Tolls are too high.', 'Jo');
    ids.fourth = await amur.postHeld(PAGE_B, 'Tolls pay for repairs.', 'Kai');
    ids.troll = await amur.postHeld(PAGE_B, 'You are all idiots.', TROLL);
    const notice = page.getByRole('button', { name: 'Show 3 new comments' });
    await notice.waitFor();
    assert.equal(await notice.textContent(), '3 new — show');
    await waitForText(count(page, 'pending'), '5');
    // Nothing moved: two items, the same one selected, the reason as typed and focused.
    assert.equal(await page.locator('[role="option"]').count(), 2);
    assert.equal(await item(page, ids.first).getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByLabel('Reason (optional)').nth(1).inputValue(), 'Off to');
    assert.equal(await page.evaluate(() => document.activeElement.id), `reason-${ids.first}`);
    await page.screenshot({ path: saveArtifact('desk-pending-notice.png'), fullPage: true });

    await notice.click();
    await notice.waitFor({ state: 'hidden' });
    const order = await page.locator('[role="option"]').evaluateAll((ns) => ns.map((n) => n.dataset.id));
    assert.deepEqual(order, [ids.troll, ids.fourth, ids.third, ids.second, ids.first]);
    assert.equal(await item(page, ids.first).getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator(`#reason-${ids.first}`).inputValue(), 'Off to');
  });

  test('a reason goes with the decision and into the audit log', T, async () => {
    const { page, problems } = mod;
    const field = page.locator(`#reason-${ids.first}`);
    await field.fill('Off topic');
    await field.press('Escape'); // back to the comment, the text kept
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), ids.first);
    await page.keyboard.press('r');
    await page.getByRole('status').filter({ hasText: `Rejected ${ids.first} (Off topic)` }).waitFor();
    await item(page, ids.first).waitFor({ state: 'detached' });
    await waitForText(count(page, 'rejected'), '1');
    await waitForText(count(page, 'pending'), '4');
    // A decision by click takes the reason too; no reason is fine.
    await item(page, ids.second).getByRole('button', { name: `Approve ${ids.second}` }).click();
    await page.getByRole('status').filter({ hasText: `Approved ${ids.second}` }).waitFor();
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const rows = page.locator('table.desk-audit tbody tr');
    await rows.first().waitFor();
    const entries = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (td) => td.textContent)));
    assert.deepEqual(entries[0].slice(1), [MOD.name, 'approve', ids.second, '']);
    assert.deepEqual(entries[1].slice(1), [MOD.name, 'reject', ids.first, 'Off topic']);
    await page.screenshot({ path: saveArtifact('desk-audit.png'), fullPage: true });
    clean(problems);
  });

  test('B opens the ban dialog; Escape cancels; a chosen length, reason and spam act after confirming', T, async () => {
    const { page, problems } = mod;
    await page.getByRole('tab', { name: /^Pending/ }).click();
    await item(page, ids.troll).waitFor();
    await item(page, ids.troll).click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: `Ban the author of ${ids.troll}` });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Cancelled.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), ids.troll);
    const admin = await amur.bearer(ADMIN);
    assert.deepEqual((await amur.api('GET', '/api/v1/admin/bans', undefined, admin)).body.bans, []);

    await page.keyboard.press('b');
    await dialog.waitFor();
    await dialog.locator('#ban-days').fill('3');
    assert.equal(await dialog.getByRole('radio', { name: 'Number of days' }).isChecked(), true);
    await dialog.getByLabel('Reason').fill('Repeated abuse');
    await dialog.getByLabel('The comment').selectOption('spam');
    await dialog.getByText(`Ban ${TROLL} for 3 days and mark ${ids.troll} as spam?`).waitFor();
    await page.screenshot({ path: saveArtifact('desk-ban-dialog.png') });
    await dialog.getByLabel('Reason').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: `Banned the author of ${ids.troll} for 3 days` }).waitFor();
    await item(page, ids.troll).waitFor({ state: 'detached' });
    await waitForText(count(page, 'spam'), '1');
    const bans = (await amur.api('GET', '/api/v1/admin/bans', undefined, admin)).body.bans;
    assert.equal(bans.length, 1);
    assert.equal(bans[0].reason, 'Repeated abuse');
    assert.equal(bans[0].comment_id, ids.troll);
    const days = (Date.parse(bans[0].expires_at) - Date.parse(bans[0].created_at)) / 86400000;
    assert.equal(days, 3);
    ids.ban = bans[0].id;
    clean(problems);
  });

  test('the Bans tab lists bans in force and lifts one after confirming', T, async () => {
    const { page, problems } = mod;
    await page.getByRole('tab', { name: 'Bans' }).click();
    const row = page.locator(`tr[data-ban="${ids.ban}"]`);
    await row.waitFor();
    const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => td.textContent));
    assert.equal(cells[0], `${TROLL}from ${ids.troll}`);
    assert.equal(cells[1], 'Repeated abuse');
    assert.equal(cells[2], 'Address');
    assert.equal(cells[3], MOD.name);
    assert.equal(await page.locator('img, script', { hasText: /Tom/ }).count(), 0);
    await page.screenshot({ path: saveArtifact('desk-bans.png'), fullPage: true });

    await row.getByRole('button', { name: `Lift ban ${ids.ban}` }).click();
    const confirm = page.getByRole('dialog', { name: `Lift ban ${ids.ban}?` });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await amur.api('GET', '/api/v1/admin/bans', undefined, await amur.bearer(MOD))).body.bans.length, 1);
    await row.getByRole('button', { name: `Lift ban ${ids.ban}` }).click();
    await confirm.waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Lifted ${ids.ban}` }).waitFor();
    await row.locator('td', { hasText: 'Ended' }).waitFor();
    assert.equal(await row.getByRole('button').count(), 0);
    assert.equal((await amur.api('GET', '/api/v1/admin/bans', undefined, await amur.bearer(MOD))).body.bans.length, 0);
    // Fresh: none in force; ended ones on demand.
    await page.getByRole('tab', { name: 'Pages' }).click();
    await page.getByRole('tab', { name: 'Bans' }).click();
    await page.locator('.desk-empty', { hasText: 'No bans in force.' }).waitFor();
    await page.getByLabel('Show ended bans').check();
    await row.waitFor();
    await row.locator('td', { hasText: 'Ended' }).waitFor();
    clean(problems);
  });

  test('the Pages tab shows each page\'s flags and counts, and toggles them', T, async () => {
    const { page, problems } = mod;
    const admin = await amur.bearer(ADMIN);
    assert.equal((await amur.api('POST', '/api/v1/admin/pages', { page: PAGE_A, closed: true }, admin)).status, 200);
    await page.getByRole('tab', { name: 'Pages' }).click();
    const rowA = page.locator(`tr[data-page="${PAGE_A}"]`);
    const rowB = page.locator(`tr[data-page="${PAGE_B}"]`);
    await rowA.waitFor();
    await rowB.waitFor();
    const keys = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.page));
    assert.deepEqual(keys, [PAGE_B, PAGE_A]); // the ban's spam decision was the newest activity on B
    assert.equal(await page.getByLabel(`Closed to new comments: ${PAGE_A}`).isChecked(), true);
    assert.equal(await page.getByLabel(`Closed to new comments: ${PAGE_B}`).isChecked(), false);
    assert.equal(await page.getByLabel(`Pre-moderate every comment: ${PAGE_B}`).isChecked(), false);
    assert.match(await rowA.textContent(), /1 published · 0 pending · 1 rejected/);
    await page.screenshot({ path: saveArtifact('desk-pages.png'), fullPage: true });
    await page.getByLabel(`Pre-moderate every comment: ${PAGE_B}`).check();
    await page.getByRole('status').filter({ hasText: `Saved page ${PAGE_B} (pre-moderated).` }).waitFor();
    let one = await amur.api('GET', `/api/v1/admin/pages?page=${encodeURIComponent(PAGE_B)}`, undefined, admin);
    assert.equal(one.body.page.premoderate, true);
    await page.getByLabel(`Closed to new comments: ${PAGE_A}`).uncheck();
    await page.getByRole('status').filter({ hasText: `Saved page ${PAGE_A}.` }).waitFor();
    one = await amur.api('GET', `/api/v1/admin/pages?page=${encodeURIComponent(PAGE_A)}`, undefined, admin);
    assert.equal(one.body.page.closed, false);
    clean(problems);
  });

  test('the Pages tab corrects a page\'s title and URL', T, async () => {
    const { page, problems } = mod;
    const admin = await amur.bearer(ADMIN);
    await page.getByRole('tab', { name: 'Pages' }).click();
    const rowA = page.locator(`tr[data-page="${PAGE_A}"]`);
    await rowA.waitFor();
    await page.getByRole('button', { name: `Edit title and URL of ${PAGE_A}` }).click();
    await page.getByLabel(`Title of ${PAGE_A}`).fill('The harbour vote, <corrected>');
    await page.getByLabel(`URL of ${PAGE_A}`).fill('https://news.example.org/harbour');
    await rowA.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Saved the title and URL of page ${PAGE_A}.` }).waitFor();
    assert.equal(await rowA.locator('[data-field="title"]').textContent(), 'The harbour vote, <corrected>');
    assert.equal(await rowA.locator('[data-field="url"]').textContent(), 'https://news.example.org/harbour');
    const one = await amur.api('GET', `/api/v1/admin/pages?page=${encodeURIComponent(PAGE_A)}`, undefined, admin);
    assert.equal(one.body.page.title, 'The harbour vote, <corrected>');
    assert.equal(one.body.page.url, 'https://news.example.org/harbour');
    // A bad URL is refused with the server's message, and nothing changes.
    await page.getByRole('button', { name: `Edit title and URL of ${PAGE_A}` }).click();
    await page.getByLabel(`URL of ${PAGE_A}`).fill('javascript:alert(1)');
    await rowA.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'http or https' }).waitFor();
    const after = await amur.api('GET', `/api/v1/admin/pages?page=${encodeURIComponent(PAGE_A)}`, undefined, admin);
    assert.equal(after.body.page.url, 'https://news.example.org/harbour');
    await rowA.getByRole('button', { name: 'Cancel' }).click();
    clean(problems, [400]);
  });

  test('a moderator has no Users tab', T, async () => {
    const { page } = mod;
    assert.equal(await page.getByRole('tab', { name: 'Users' }).count(), 0);
    assert.equal(await page.getByRole('tab', { name: 'Settings' }).count(), 1);
  });
});

describe('the Users tab', () => {
  test('an admin adds an account, changes its role and disables it', T, async () => {
    const { context, page, problems } = await desk(ADMIN, '');
    await page.getByRole('tab', { name: 'Users' }).click();
    const me = page.locator('tr', { hasText: ADMIN.email });
    await me.waitFor();
    assert.equal(await me.locator('.desk-badge').textContent(), 'you');
    assert.equal(await page.getByLabel(`Role of ${ADMIN.name}`).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: `Disable ${ADMIN.name}` }).isDisabled(), true);
    await page.getByRole('cell', { name: MOD.email }).waitFor();

    const form = page.getByRole('form', { name: 'Add an account' });
    await form.getByLabel('Name').fill('Nia <New>');
    await form.getByLabel('Email').fill('nia@example.com');
    await form.getByLabel('Role').selectOption('moderator');
    await form.getByLabel('Password').fill('a fine new password');
    await form.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('status').filter({ hasText: 'Added Nia <New> as moderator.' }).waitFor();
    const row = page.locator('tr', { hasText: 'nia@example.com' });
    await row.waitFor();
    assert.equal(await form.getByLabel('Password').inputValue(), '');

    // The same email again: the server's message, and the email field focused.
    await form.getByLabel('Name').fill('Nia Again');
    await form.getByLabel('Email').fill('NIA@example.com');
    await form.getByLabel('Password').fill('another fine password');
    await form.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('alert').filter({ hasText: 'An account with this email exists already.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'user-email');

    await page.getByLabel('Role of Nia <New>').selectOption('member');
    await page.getByRole('status').filter({ hasText: 'Nia <New> is now member.' }).waitFor();
    await page.getByRole('button', { name: 'Disable Nia <New>' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disable Nia <New>?' });
    await confirm.waitFor();
    await page.screenshot({ path: saveArtifact('desk-users-confirm.png') });
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'Disabled Nia <New>; their sessions have ended.' }).waitFor();
    await row.locator('.desk-state', { hasText: 'Disabled' }).waitFor();
    const login = await amur.api('POST', '/api/v1/auth/login', { email: 'nia@example.com', password: 'a fine new password' });
    assert.equal(login.status, 403);
    await page.screenshot({ path: saveArtifact('desk-users.png'), fullPage: true });

    // Every tab, for the record.
    for (const tab of ['Pending', 'Reported', 'Rejected', 'Spam', 'Pages', 'Bans', 'Settings', 'Audit log']) {
      await page.getByRole('tab', { name: tab }).first().click();
      await page.waitForFunction(() => !document.getElementById('desk-panel').hasAttribute('aria-busy'));
      await page.screenshot({ path: saveArtifact(`desk-tab-${tab.toLowerCase().replace(/ /g, '-')}.png`), fullPage: true });
    }
    clean(problems, [400]);
    await context.close();
  });
});
