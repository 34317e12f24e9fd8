// Readers report a comment from the widget: a Report control on other people's
// comments (never on one's own), a reason to pick, one report per reader that
// the browser remembers. Hiding takes reports from distinct networks, so two
// readers on one address (here, loopback) put it in the moderators' queue
// (--reports-to-queue 1) but do not hide it (--reports-to-hide 2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, saveArtifact, startAmur, startHost, waitForWidget } from './harness.mjs';

const T = { timeout: 90000 };
let amur;
let host;
let browser;

before(async () => {
  host = await startHost(() => amur.url);
  amur = await startAmur(['--reports-to-queue', '1', '--reports-to-hide', '2', '--allow-origin', host.url]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

async function reportFrom(reader, url, text, reasonLabel) {
  if (reader.page.url() !== url) await reader.page.goto(url);
  const w = await waitForWidget(reader.page);
  const item = w.locator('li.amur-item', { hasText: text });
  const button = item.getByRole('button', { name: 'Report', exact: true });
  await button.click();
  // (The box comes from embed-more.js, fetched on first use.)
  await item.locator('.amur-report[aria-expanded="true"]').waitFor();
  const answer = reader.page.waitForResponse((r) => r.url().endsWith('/reports') && r.request().method() === 'POST');
  await item.getByLabel('Why are you reporting this comment?').selectOption({ label: reasonLabel });
  await item.getByRole('button', { name: 'Send report' }).click();
  const r = await answer;
  assert.equal(r.status(), 202);
  assert.equal(JSON.parse(r.request().postData()).reason, reasonLabel === 'Spam' ? 'spam' : 'abuse');
  await item.locator('.amur-reported', { hasText: 'Reported. Thank you' }).waitFor();
  await w.locator('[role="status"]', { hasText: 'Reported. Thank you' }).waitFor();
  return w;
}

describe('reporting a comment', () => {
  test('is offered on others\' comments, remembered, and one network cannot hide a comment', T, async () => {
    const key = '/report/article';
    const url = `${host.url}/article?page=${encodeURIComponent(key)}`;

    // An author posts from the widget: no Report button on their own comment.
    const author = await openReader(browser);
    await author.page.goto(url);
    let w = await waitForWidget(author.page);
    await w.getByLabel('Comment', { exact: true }).fill('A comment some readers dislike.');
    await w.getByRole('button', { name: 'Post Comment' }).click();
    const own = w.locator('li.amur-item', { hasText: 'A comment some readers dislike.' });
    await own.getByRole('button', { name: 'Edit' }).waitFor();
    assert.equal(await own.getByRole('button', { name: 'Report', exact: true }).count(), 0);

    // A first reader reports it; the comment stays (1 < 2) and the browser
    // remembers the report across a reload.
    const first = await openReader(browser);
    w = await reportFrom(first, url, 'A comment some readers dislike.', 'Abuse or harassment');
    await first.page.reload();
    w = await waitForWidget(first.page);
    const again = w.locator('li.amur-item', { hasText: 'A comment some readers dislike.' });
    await again.locator('.amur-reported').waitFor();
    assert.equal(await again.getByRole('button', { name: 'Report', exact: true }).count(), 0);
    assert.equal((await amur.list(key)).comments.length, 1);

    // Escape closes the report box without sending anything.
    const second = await openReader(browser);
    await second.page.goto(url);
    w = await waitForWidget(second.page);
    const item = w.locator('li.amur-item', { hasText: 'A comment some readers dislike.' });
    await item.getByRole('button', { name: 'Report', exact: true }).click();
    await item.getByLabel('Why are you reporting this comment?').press('Escape');
    assert.equal(await item.locator('.amur-report-box').count(), 0);
    assert.equal(await item.getByRole('button', { name: 'Report', exact: true }).evaluate((b) => b === document.activeElement), true);

    // A second, distinct reader (who voted, so the server knows them apart
    // from the first one on the same address): reported, but still shown.
    await item.getByRole('button', { name: 'Upvote' }).click();
    await item.locator('.amur-vote-up[aria-pressed="true"]').waitFor();
    await reportFrom(second, url, 'A comment some readers dislike.', 'Spam');
    await second.page.screenshot({ path: saveArtifact('widget-reported.png'), fullPage: true });
    const listing = await amur.list(key);
    assert.equal(listing.comments.length, 1);
    assert.equal(listing.page.comment_count, 1);

    for (const r of [author, first, second]) {
      assert.deepEqual(r.problems.consoleErrors, []);
      assert.deepEqual(r.problems.dialogs, []);
      assert.deepEqual(r.problems.offLoopback, []);
    }
  });
});
