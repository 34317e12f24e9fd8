// A held comment (amur serve --premoderate answers 202 "pending"): its author
// sees "Your comment is awaiting moderation", also after a reload; nobody
// else sees it, and it is not counted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, startAmur, startHost, waitForWidget } from './harness.mjs';

const T = { timeout: 90000 };
let amur;
let host;
let browser;

before(async () => {
  host = await startHost(() => amur.url);
  amur = await startAmur(['--premoderate', '--allow-origin', host.url]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

describe('a held comment', () => {
  for (const where of ['demo', 'host']) {
    test(`is shown to its author only (${where})`, T, async () => {
      const key = where === 'demo' ? '/demo' : '/held/article';
      const url = where === 'demo' ? `${amur.url}/demo` : `${host.url}/article?page=${encodeURIComponent(key)}`;
      const author = await openReader(browser);
      await author.page.goto(url);
      let w = await waitForWidget(author.page);
      assert.equal(await w.locator('h2.amur-count').textContent(), '0 Comments');
      const answer = author.page.waitForResponse((r) => r.url().endsWith('/api/v1/comments') && r.request().method() === 'POST');
      await w.getByLabel('Comment', { exact: true }).fill(`Held for the moderators (${where}).`);
      await w.getByLabel('Name').fill('Patient Pat');
      await w.getByRole('button', { name: 'Post Comment' }).click();
      assert.equal((await answer).status(), 202);
      const held = w.locator('li.amur-pending', { hasText: `Held for the moderators (${where}).` });
      await held.locator('.amur-notice', { hasText: 'Your comment is awaiting moderation.' }).waitFor();
      await w.locator('[role="status"]', { hasText: 'Your comment is awaiting moderation.' }).waitFor();
      assert.equal(await w.locator('h2.amur-count').textContent(), '0 Comments');
      // No voting or replying on a held comment.
      assert.equal(await held.getByRole('button').count(), 0);

      // After a reload, still there for its author.
      await author.page.reload();
      w = await waitForWidget(author.page);
      await w.locator('li.amur-pending', { hasText: `Held for the moderators (${where}).` })
        .locator('.amur-notice', { hasText: 'Your comment is awaiting moderation.' }).waitFor();

      // Another reader sees nothing of it.
      const other = await openReader(browser);
      await other.page.goto(url);
      const w2 = await waitForWidget(other.page);
      assert.equal(await w2.locator('h2.amur-count').textContent(), '0 Comments');
      assert.equal(await w2.getByText(`Held for the moderators (${where}).`).count(), 0);
      assert.equal(await w2.getByText('awaiting moderation').count(), 0);
      await w2.getByText('No comments yet. Start the conversation.').waitFor();

      // And neither does the API.
      const listing = await amur.list(key);
      assert.equal(listing.page.comment_count, 0);
      assert.equal(listing.comments.length, 0);
      for (const r of [author, other]) {
        assert.deepEqual(r.problems.consoleErrors, []);
        assert.deepEqual(r.problems.dialogs, []);
        assert.deepEqual(r.problems.offLoopback, []);
      }
    });
  }
});
