// Two moderators on one queue, in headless Chromium with two browser contexts
// (two sessions): a decision on a comment the other already decided is
// refused (409) and the item is marked "Decided elsewhere: … by …" with its
// buttons disabled, nothing overridden; the periodic refresh marks items that
// left the queue without moving the list or taking focus; J/K pass over them;
// the tab counts stay right; "show" and a tab change remove them.
// Screenshot: build/e2e-artifacts/desk-stale.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

const T = { timeout: 120000 };
const ADA = { email: 'ada@example.com', name: 'Ada Admin', password: 'admin password 1' };
const MIA = { email: 'mia@example.com', name: 'Mia Moderator', password: 'correct horse battery' };
const PAGE = '/news/2024/ferry-timetable';

let amur;
let browser;
const ids = {};

async function desk(who, query) {
  const reader = await openReader(browser);
  const { page } = reader;
  await page.goto(`${amur.url}/admin${query}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
  return reader;
}

// The desk asks /api/v1/auth/me before signing in: that 401 is expected.
const FAILED_401 = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

function item(page, id) {
  return page.locator(`[role="option"][data-id="${id}"]`);
}

function shownIds(page) {
  return page.locator('[role="option"]').evaluateAll((ns) => ns.map((n) => n.dataset.id));
}

async function waitForText(locator, text) {
  await locator.page().waitForFunction(([el, t]) => el && el.textContent === t, [await locator.elementHandle(), text]);
}

before(async () => {
  amur = await startAmur(['--premoderate']);
  addUser(amur.db, ADA, 'admin');
  addUser(amur.db, MIA, 'moderator');
  ids.a = await amur.postHeld(PAGE, 'The ferry used to run every hour.', 'Lena');
  ids.b = await amur.postHeld(PAGE, 'Winter timetables are always worse.', 'Oskar');
  ids.c = await amur.postHeld(PAGE, 'Nobody on the council takes the ferry.', 'Pia');
  ids.d = await amur.postHeld(PAGE, 'Bring back the night crossing!', 'Rui');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

describe('two moderators on the pending queue', () => {
  let mia;
  let ada;

  // Mia's desk refreshes every second; Ada's not at all during the test, so
  // her list is stale when she acts.
  before(async () => {
    mia = await desk(MIA, '?refresh=1');
    ada = await desk(ADA, '?refresh=3600');
    for (const { page } of [mia, ada]) await item(page, ids.a).waitFor();
  });
  after(async () => {
    await mia?.context.close();
    await ada?.context.close();
  });

  test('a decision on a comment the other moderator decided is refused and marked', T, async () => {
    await item(mia.page, ids.c).getByRole('button', { name: `Reject ${ids.c}` }).click();
    await item(mia.page, ids.c).waitFor({ state: 'detached' });

    const page = ada.page;
    assert.deepEqual(await shownIds(page), [ids.d, ids.c, ids.b, ids.a]);
    await item(page, ids.c).getByRole('button', { name: `Approve ${ids.c}` }).click();
    const marker = item(page, ids.c).locator('.desk-stale');
    await marker.waitFor();
    assert.equal(await marker.textContent(), `Decided elsewhere: rejected by ${MIA.name}`);
    await page.getByRole('status').filter({ hasText: `${ids.c}: Already rejected by ${MIA.name}. Nothing was changed.` }).waitFor();
    // Still in the list, in place, its decision buttons disabled; the alert region is quiet.
    assert.deepEqual(await shownIds(page), [ids.d, ids.c, ids.b, ids.a]);
    for (const label of ['Approve', 'Reject', 'Spam']) {
      assert.equal(await item(page, ids.c).getByRole('button', { name: `${label} ${ids.c}` }).isDisabled(), true, label);
    }
    // Ban author… is disabled too, and the marker takes its place.
    assert.equal(await item(page, ids.c).locator('[data-action="ban"]').isDisabled(), true);
    assert.equal(await item(page, ids.c).locator('[data-action="ban"]').isVisible(), false);
    assert.equal(await page.locator('#desk-alert').textContent(), '');
    // A by keyboard on it does nothing either.
    await item(page, ids.c).click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('a');
    await page.getByRole('status').filter({ hasText: `${ids.c}: decided elsewhere: rejected by ${MIA.name}.` }).waitFor();

    // Nothing was overridden: still rejected, one decision in the audit log.
    const auth = await amur.bearer(ADA);
    const rejected = await amur.api('GET', '/api/v1/admin/queue?state=rejected', undefined, auth);
    assert.deepEqual(rejected.body.comments.map((c) => c.id), [ids.c]);
    const audit = await amur.api('GET', '/api/v1/admin/audit', undefined, auth);
    assert.deepEqual(audit.body.entries.filter((e) => e.comment_id === ids.c).map((e) => [e.actor, e.action]),
      [[MIA.name, 'reject']]);
  });

  test('the refresh marks comments decided elsewhere without moving the list or taking focus', T, async () => {
    const { page, problems } = mia;
    assert.deepEqual(await shownIds(page), [ids.d, ids.b, ids.a]);
    // Mia is typing a reason on d.
    await item(page, ids.d).click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('w');
    await page.keyboard.type('Not sure yet');
    const box = await item(page, ids.a).boundingBox();

    // Ada approves b from her (stale) desk: its precondition still holds.
    await item(ada.page, ids.b).getByRole('button', { name: `Approve ${ids.b}` }).click();
    await ada.page.getByRole('status').filter({ hasText: `Approved ${ids.b}` }).waitFor();

    const marker = item(page, ids.b).locator('.desk-stale');
    await marker.waitFor({ timeout: 15000 });
    assert.equal(await marker.textContent(), `Decided elsewhere: approved by ${ADA.name}`);
    assert.equal(await item(page, ids.b).getByRole('button', { name: `Reject ${ids.b}` }).isDisabled(), true);
    assert.equal(await item(page, ids.b).getByRole('button', { name: `Approve ${ids.b}` }).isDisabled(), true);
    // Nothing moved; focus and the half-typed reason are where they were.
    assert.deepEqual(await shownIds(page), [ids.d, ids.b, ids.a]);
    assert.equal(await page.evaluate(() => document.activeElement.id), `reason-${ids.d}`);
    assert.equal(await page.locator(`#reason-${ids.d}`).inputValue(), 'Not sure yet');
    assert.equal(await item(page, ids.d).getAttribute('aria-selected'), 'true');
    const after = await item(page, ids.a).boundingBox();
    assert.ok(Math.abs(after.y - box.y) < 2, `the list moved: ${box.y} → ${after.y}`);
    // The counts are the server's: d and a are pending.
    await waitForText(page.locator('[data-count="pending"]'), '2');
    await page.screenshot({ path: saveArtifact('desk-stale.png'), fullPage: true });

    // J and K pass over the stale comment.
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), ids.d);
    await page.keyboard.press('j');
    assert.equal(await item(page, ids.a).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), ids.a);
    await page.keyboard.press('j'); // the end: stays
    assert.equal(await item(page, ids.a).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('k');
    assert.equal(await item(page, ids.d).getAttribute('aria-selected'), 'true');

    // A decision on d: the next selection passes over the stale b.
    await page.keyboard.press('a');
    await page.getByRole('status').filter({ hasText: `Approved ${ids.d}` }).waitFor();
    await item(page, ids.d).waitFor({ state: 'detached' });
    assert.equal(await item(page, ids.a).getAttribute('aria-selected'), 'true');
    await waitForText(page.locator('[data-count="pending"]'), '1');

    // "show" brings the new comment in and takes the stale one out.
    ids.e = await amur.postHeld(PAGE, 'The new pier is a white elephant.', 'Sol');
    const notice = page.getByRole('button', { name: 'Show 1 new comment' });
    await notice.waitFor();
    assert.deepEqual(await shownIds(page), [ids.b, ids.a]);
    await notice.click();
    await item(page, ids.b).waitFor({ state: 'detached' });
    assert.deepEqual(await shownIds(page), [ids.e, ids.a]);
    assert.equal(await item(page, ids.a).getAttribute('aria-selected'), 'true');
    await waitForText(page.locator('[data-count="pending"]'), '2');
    assert.deepEqual(problems.consoleErrors.filter((m) => m !== FAILED_401), []);
  });

  test('a tab change drops the stale items; the counts are right on both desks', T, async () => {
    const { page, problems } = ada;
    await page.getByRole('tab', { name: /^Rejected/ }).click();
    await item(page, ids.c).waitFor();
    await page.getByRole('tab', { name: /^Pending/ }).click();
    await item(page, ids.a).waitFor();
    assert.deepEqual(await shownIds(page), [ids.e, ids.a]);
    await waitForText(page.locator('[data-count="pending"]'), '2');
    await waitForText(page.locator('[data-count="rejected"]'), '1');
    // The refused decision logged its 409 in the console; nothing else.
    const other = problems.consoleErrors.filter((m) => m !== FAILED_401 && !m.includes('status of 409'));
    assert.deepEqual(other, []);
    assert.deepEqual(problems.dialogs, []);
    assert.deepEqual(problems.offLoopback, []);
  });
});
