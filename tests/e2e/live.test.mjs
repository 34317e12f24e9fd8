// Live updates in the widget (GET /api/v1/events): two readers on /demo; a
// comment posted by one appears for the other behind a "1 new comment"
// notice, without moving the page or losing a half-typed reply; a click
// shows it in place; a vote on one updates the count on the other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, startAmur, waitForWidget } from './harness.mjs';

const T = { timeout: 90000 };
let amur;
let browser;

before(async () => {
  amur = await startAmur(['--live-heartbeat', '1']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

test('a new comment waits behind a notice; votes update in place', T, async () => {
  const seed = (await amur.post('/demo', 'The first comment, from before.', { author_name: 'Ann' })).comment;
  const a = await openReader(browser);
  const b = await openReader(browser);
  const streams = [a, b].map((r) => r.page.waitForResponse((x) => x.url().includes('/api/v1/events?')));
  await a.page.goto(`${amur.url}/demo`);
  await b.page.goto(`${amur.url}/demo`);
  const wa = await waitForWidget(a.page);
  const wb = await waitForWidget(b.page);
  await wb.getByText('The first comment, from before.').waitFor();
  // Both streams are open before anyone writes.
  for (const s of await Promise.all(streams)) assert.equal(s.status(), 200);

  // Reader B starts a reply and scrolls to the comment.
  const seedB = wb.locator(`li.amur-item[data-id="${seed.id}"]`);
  await seedB.getByRole('button', { name: /^Reply/ }).click();
  const replyBox = seedB.locator('textarea');
  await replyBox.fill('Half of what I wanted to s');
  const scrollBefore = await b.page.evaluate(() => window.scrollY);

  // Reader A posts.
  await wa.getByLabel('Comment', { exact: true }).fill('Live from the other reader.');
  await wa.getByLabel('Name').fill('Bo');
  await wa.getByRole('button', { name: 'Post Comment' }).click();
  await wa.locator('li.amur-item', { hasText: 'Live from the other reader.' }).waitFor();

  const notice = wb.locator('button.amur-fresh');
  await notice.filter({ hasText: '1 new comment' }).waitFor({ timeout: 10000 });
  assert.equal(await wb.getByText('Live from the other reader.').count(), 0, 'shown before the click');
  assert.equal(await replyBox.inputValue(), 'Half of what I wanted to s');
  assert.equal(await b.page.evaluate(() => window.scrollY), scrollBefore);

  await notice.click();
  await wb.locator('li.amur-item', { hasText: 'Live from the other reader.' }).waitFor();
  assert.equal(await notice.isHidden(), true);
  assert.equal(await wb.locator('h2.amur-count').textContent(), '2 Comments');
  assert.equal(await replyBox.inputValue(), 'Half of what I wanted to s', 'the half-typed reply survives');

  // A's vote on the seed comment shows on B's screen.
  const seedA = wa.locator(`li.amur-item[data-id="${seed.id}"]`);
  await seedA.getByRole('button', { name: 'Upvote', exact: true }).click();
  await seedA.locator('.amur-n-up', { hasText: '1' }).waitFor();
  await seedB.locator('.amur-n-up').first().filter({ hasText: '1' }).waitFor({ timeout: 10000 });
  assert.equal(await replyBox.inputValue(), 'Half of what I wanted to s');

  for (const r of [a, b]) {
    assert.deepEqual(r.problems.consoleErrors, [], 'console errors');
    assert.deepEqual(r.problems.offLoopback, [], 'requests left loopback');
  }
});
