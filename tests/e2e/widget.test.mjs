// The widget on amur's own pages (/demo, /t): it replaces the server-rendered
// thread in place, and a reader posts, replies, votes, sorts, edits and
// deletes without a page load; by keyboard alone too. Without JavaScript the
// same pages still read and post.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, saveArtifact, startAmur, waitForWidget, widget } from './harness.mjs';

const T = { timeout: 90000 };
let amur;
let browser;
const readers = [];

async function reader(options) {
  const r = await openReader(browser, options);
  readers.push(r);
  return r;
}

function assertClean(problems) {
  assert.deepEqual(problems.offLoopback, [], 'requests left loopback');
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.dialogs, [], 'dialogs opened');
}

// Focus moves by Tab alone until `selector` (inside the widget) has focus.
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement === document.querySelector(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

function item(w, text) {
  return w.locator('li.amur-item', { has: w.page().locator('.amur-body', { hasText: text }) }).last();
}

before(async () => {
  amur = await startAmur();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

describe('the widget on /demo', () => {
  test('replaces the server-rendered thread in place', T, async () => {
    await amur.post('/demo', 'A first comment from the API.', { author_name: 'Ann' });
    const { page, problems } = await reader();
    await page.goto(`${amur.url}/demo`);
    const w = await waitForWidget(page);
    // One thread section, the live one, still the #comments anchor.
    assert.equal(await page.locator('section.amur-thread').count(), 1);
    assert.equal(await w.getAttribute('id'), 'comments');
    assert.equal(await w.getAttribute('data-amur-page'), '/demo');
    assert.match(await w.locator('h2.amur-count').textContent(), /^\d+ Comments?$/);
    // Sort controls are buttons with a pressed state.
    const sorts = w.getByRole('group', { name: 'Sort comments' }).getByRole('button');
    assert.deepEqual(await sorts.allTextContents(), ['Oldest', 'Newest', 'Most Voted']);
    assert.equal(await sorts.first().getAttribute('aria-pressed'), 'true');
    // The form, labelled.
    assert.equal(await w.getByLabel('Name').getAttribute('placeholder'), 'guest');
    await w.getByLabel('Email (optional, never shown)').waitFor();
    await w.getByLabel('Comment', { exact: true }).waitFor();
    await w.getByRole('button', { name: 'Post Comment' }).waitFor();
    // Names are text; times carry the exact time.
    const time = item(w, 'A first comment from the API.').locator('time').first();
    assert.equal(await time.textContent(), 'just now');
    assert.ok(await time.getAttribute('datetime'));
    assert.ok(await time.getAttribute('title'));
    // No Subscribe control until its endpoint exists.
    assert.equal(await w.getByText(/subscribe|notify of/i).count(), 0);
    // The live region and the alert region are there.
    assert.equal(await w.locator('[aria-live="polite"]').count(), 1);
    assertClean(problems);
  });

  test('posts, replies, votes, sorts, edits and deletes without a page load', T, async () => {
    const { page, problems } = await reader();
    await page.goto(`${amur.url}/demo`);
    const w = await waitForWidget(page);
    await page.evaluate(() => { window.__samePage = true; });
    const before = Number((await w.locator('h2.amur-count').textContent()).split(' ')[0]);

    // Post.
    await w.getByLabel('Comment', { exact: true }).fill('Widget post with **bold** text.');
    await w.getByLabel('Name').fill('Widget Walt');
    await w.getByRole('button', { name: 'Post Comment' }).click();
    const mine = item(w, 'Widget post with bold text.');
    await mine.waitFor();
    assert.equal(await mine.locator('.amur-body strong').textContent(), 'bold');
    assert.equal(await mine.locator('.amur-author').first().textContent(), 'Widget Walt');
    await w.locator('h2.amur-count', { hasText: `${before + 1} Comment` }).waitFor();
    await w.locator('[role="status"]', { hasText: 'Your comment was posted.' }).waitFor();
    assert.equal(await w.getByLabel('Comment', { exact: true }).first().inputValue(), '');

    // Reply, in place under it.
    await mine.getByRole('button', { name: /^Reply/ }).first().click();
    const replyBox = mine.locator('.amur-compose-reply');
    await replyBox.getByText('Replying to').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.name), 'body');
    await replyBox.getByLabel('Comment', { exact: true }).fill('A reply, in place.');
    await replyBox.getByRole('button', { name: 'Post Comment' }).click();
    const reply = mine.locator('ol.amur-replies > li.amur-item', { hasText: 'A reply, in place.' });
    await reply.waitFor();
    assert.equal(await mine.locator('.amur-compose-reply').count(), 0);
    await w.locator('h2.amur-count', { hasText: `${before + 2} Comments` }).waitFor();

    // Vote: accessible names, counts, pressed state; the voter id is kept
    // and sent as X-Amur-Voter, never as a cookie.
    const up = mine.getByRole('button', { name: 'Upvote', exact: true }).first();
    const down = mine.getByRole('button', { name: 'Downvote', exact: true }).first();
    const first = page.waitForRequest((r) => r.url().endsWith('/votes') && r.method() === 'POST');
    await up.click();
    assert.equal((await first).headers()['x-amur-voter'], undefined);
    await mine.locator('.amur-n-up').first().filter({ hasText: '1' }).waitFor();
    assert.equal(await up.getAttribute('aria-pressed'), 'true');
    const voter = await page.evaluate(() => {
      const k = Object.keys(localStorage).find((x) => x.startsWith('amur:'));
      return JSON.parse(localStorage.getItem(k)).voter;
    });
    assert.match(voter, /^[A-Za-z0-9_-]{8,128}$/);
    const second = page.waitForRequest((r) => r.url().endsWith('/votes') && r.method() === 'POST');
    await down.click();
    const sent = (await second).headers();
    assert.equal(sent['x-amur-voter'], voter);
    assert.equal(sent.cookie, undefined);
    await mine.locator('.amur-n-down').first().filter({ hasText: '1' }).waitFor();
    await mine.locator('.amur-n-up').first().filter({ hasText: '0' }).waitFor();
    assert.equal(await down.getAttribute('aria-pressed'), 'true');
    assert.equal(await up.getAttribute('aria-pressed'), 'false');
    await down.click(); // retract
    await mine.locator('.amur-n-down').first().filter({ hasText: '0' }).waitFor();
    assert.equal(await down.getAttribute('aria-pressed'), 'false');
    await up.click();
    await mine.locator('.amur-n-up').first().filter({ hasText: '1' }).waitFor();

    // Sort: Newest puts the latest top-level comment first; Most Voted puts
    // the upvoted one first.
    await amur.post('/demo', 'The newest top-level comment.', { author_name: 'Late' });
    await w.getByRole('button', { name: 'Newest' }).click();
    await w.locator('ol.amur-comments > li').first().filter({ hasText: 'The newest top-level comment.' }).waitFor();
    assert.equal(await w.getByRole('button', { name: 'Newest' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await w.getByRole('button', { name: 'Oldest' }).getAttribute('aria-pressed'), 'false');
    await w.getByRole('button', { name: 'Most Voted' }).click();
    await w.locator('ol.amur-comments > li').first().filter({ hasText: 'Widget post with bold text.' }).waitFor();
    await w.getByRole('button', { name: 'Oldest' }).click();
    await w.locator('ol.amur-comments > li').first().filter({ hasText: 'A first comment from the API.' }).waitFor();

    // Edit the reply (Save), then see "Last edited … by …".
    const replyId = await w.locator('li.amur-item', { hasText: 'A reply, in place.' }).last().getAttribute('data-id');
    const myReply = w.locator(`li.amur-item[data-id="${replyId}"]`);
    await myReply.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = myReply.getByLabel('Edit your comment');
    await editor.waitFor();
    await page.waitForFunction(() => {
      const t = document.querySelector('.amur-editor textarea');
      return t && !t.readOnly && t.value === 'A reply, in place.';
    });
    await editor.fill('A reply, edited in place.');
    await myReply.getByRole('button', { name: 'Save' }).click();
    await myReply.locator('.amur-body', { hasText: 'A reply, edited in place.' }).waitFor();
    assert.match(await myReply.locator('.amur-edited').textContent(), /^Last edited just now by Widget Walt$/);
    assert.equal(await myReply.locator('.amur-editor').count(), 0);

    // Delete the parent: it has a reply, so it becomes a tombstone.
    const parent = w.locator('li.amur-item', { hasText: 'Widget post with bold text.' }).first();
    await parent.getByRole('button', { name: 'Delete', exact: true }).first().click();
    await parent.getByRole('button', { name: 'Yes, delete' }).click();
    await w.locator('.amur-tombstone', { hasText: 'This comment was deleted.' }).waitFor();
    assert.equal(await w.locator('.amur-body', { hasText: 'Widget post with bold text.' }).count(), 0);
    // Delete the reply: gone, and the tombstone with it.
    const lastReply = myReply;
    await lastReply.getByRole('button', { name: 'Delete', exact: true }).click();
    await lastReply.getByRole('button', { name: 'Yes, delete' }).click();
    await w.locator('.amur-body', { hasText: 'A reply, edited in place.' }).waitFor({ state: 'detached' });
    assert.equal(await w.locator('.amur-tombstone').count(), 0);

    // The server agrees.
    const listing = await amur.list('/demo');
    const bodies = JSON.stringify(listing.comments);
    assert.ok(!bodies.includes('Widget post with bold text.'));
    assert.ok(!bodies.includes('edited in place'));
    assert.equal(await page.evaluate(() => window.__samePage), true, 'the page reloaded');
    assertClean(problems);
  });

  test('another reader gets no Edit or Delete on someone else\'s comment', T, async () => {
    const a = await reader();
    await a.page.goto(`${amur.url}/demo`);
    let w = await waitForWidget(a.page);
    await w.getByLabel('Comment', { exact: true }).fill('Only I may edit this.');
    await w.getByRole('button', { name: 'Post Comment' }).click();
    const mine = item(w, 'Only I may edit this.');
    await mine.getByRole('button', { name: 'Edit', exact: true }).waitFor();
    // After a reload the token is still there (localStorage).
    await a.page.reload();
    w = await waitForWidget(a.page);
    await item(w, 'Only I may edit this.').getByRole('button', { name: 'Edit', exact: true }).waitFor();

    const b = await reader();
    await b.page.goto(`${amur.url}/demo`);
    const w2 = await waitForWidget(b.page);
    const theirs = item(w2, 'Only I may edit this.');
    await theirs.waitFor();
    assert.equal(await theirs.getByRole('button', { name: 'Edit', exact: true }).count(), 0);
    assert.equal(await theirs.getByRole('button', { name: 'Delete', exact: true }).count(), 0);
    assertClean(a.problems);
    assertClean(b.problems);
  });

  test('a reader posts with the keyboard alone', T, async () => {
    const { page, problems } = await reader();
    await page.goto(`${amur.url}/demo`);
    const w = await waitForWidget(page);
    await tabTo(page, 'section.amur-w .amur-composer textarea');
    await page.keyboard.type('Typed and sent with the keyboard only.');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'author_name');
    await page.keyboard.type('Keyboard Kim');
    await tabTo(page, 'section.amur-w .amur-composer button[type="submit"]', 5);
    // Focus is visible on the button.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    const posted = item(w, 'Typed and sent with the keyboard only.');
    await posted.waitFor();
    assert.equal(await posted.locator('.amur-author').first().textContent(), 'Keyboard Kim');
    // Focus went to the new comment; Reply is the next stop, and Enter opens it.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /^Reply/);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'body');
    await page.keyboard.type('And a reply, by keyboard.');
    await page.keyboard.press('Control+Enter');
    await posted.locator('ol.amur-replies', { hasText: 'And a reply, by keyboard.' }).waitFor();
    assertClean(problems);
  });

  test('relative times stay current', T, async () => {
    const { page, problems } = await reader();
    await page.clock.install();
    await page.goto(`${amur.url}/demo`);
    const w = await waitForWidget(page);
    const time = w.locator('ol.amur-comments time').first();
    assert.equal(await time.textContent(), 'just now');
    await page.clock.fastForward('05:30');
    await w.locator('ol.amur-comments time', { hasText: /^[56] minutes ago$/ }).first().waitFor();
    await page.clock.fastForward('02:00:00');
    await w.locator('ol.amur-comments time', { hasText: /^2 hours ago$/ }).first().waitFor();
    assertClean(problems);
  });

  test('the preview shows the Markdown as text, without a request', T, async () => {
    // (A page without inline feedback: /demo's loads embed-more.js at once,
    // to highlight its passages.)
    await amur.post('/preview-page', 'A comment to preview under.', { author_name: 'Pia' });
    const { page, problems } = await reader();
    let loading = true;
    let requests = 0;
    let more = 0;
    // (The live-update stream may reconnect at any time; it is not the
    // preview's. The preview's code, embed-more.js, is fetched once, on first
    // use, here when the form is first focused, not at page load; the text
    // goes nowhere.)
    page.on('request', (r) => {
      if (r.url().includes('/embed-more.js?v=')) more++;
      else if (!loading && !r.url().includes('/api/v1/events?')) requests++;
    });
    await page.goto(`${amur.url}/t?page=${encodeURIComponent('/preview-page')}`);
    const w = await waitForWidget(page);
    await page.waitForTimeout(300);
    assert.equal(more, 0, 'embed-more.js was fetched at page load');
    loading = false;
    await w.getByLabel('Comment', { exact: true }).fill('Some **strong** words\n\n> a quote\n\n- one\n- two');
    const toggle = w.locator('.amur-composer').getByRole('button', { name: 'Preview' });
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const pv = w.locator('.amur-composer .amur-preview');
    assert.equal(await pv.locator('strong').textContent(), 'strong');
    assert.equal(await pv.locator('blockquote').textContent(), 'a quote');
    assert.equal(await pv.locator('li').count(), 2);
    await toggle.click();
    assert.equal(await pv.isHidden(), true);
    await toggle.click();
    await pv.locator('li').first().waitFor();
    assert.equal(requests, 0);
    assert.equal(more, 1);
    assertClean(problems);
  });

  test('the part loaded on first use: a failed fetch says so where the reader acted, and is tried again', T, async () => {
    const { page } = await reader();
    let fail = true;
    let fetched = 0;
    await page.route('**/embed-more.js?v=*', (route) => {
      fetched++;
      return fail ? route.abort() : route.continue();
    });
    await amur.post('/failed-more', 'A comment on a page without inline feedback.', { author_name: 'Fay' });
    await page.goto(`${amur.url}/t?page=${encodeURIComponent('/failed-more')}`);
    const w = await waitForWidget(page);
    const toggle = w.locator('.amur-composer').getByRole('button', { name: 'Preview' });
    const pv = w.locator('.amur-composer .amur-preview');
    // Focusing the form starts the fetch; the preview waits for the same one.
    await toggle.click();
    await pv.getByText('The comment server could not be reached. Please try again.').waitFor();
    assert.equal(fetched, 1);
    // Posting's code comes from the same file: the form says so, and keeps its text.
    await w.getByRole('button', { name: 'Post Comment' }).click();
    await w.locator('.amur-composer form > .amur-error', { hasText: 'The comment server could not be reached.' }).waitFor();
    assert.equal(fetched, 2);
    fail = false;
    await w.getByLabel('Comment', { exact: true }).fill('Some **strong** words');
    await pv.locator('strong').waitFor();
    assert.equal(await pv.locator('strong').textContent(), 'strong');
    assert.equal(fetched, 3);
    await w.getByRole('button', { name: 'Post Comment' }).click();
    await w.locator('li.amur-item', { hasText: 'Some strong words' }).waitFor();
    assert.equal(fetched, 3);
  });

  test('a link to a comment shows that comment', T, async () => {
    const id = (await amur.list('/demo')).comments[0].id;
    const { page, problems } = await reader();
    await page.goto(`${amur.url}/demo#${id}`);
    const w = await waitForWidget(page);
    await w.locator(`li#amur-${id}.amur-target`).waitFor();
    assert.equal(await w.locator(`li#amur-${id} a.amur-permalink`).first().getAttribute('href'), `#amur-${id}`);
    assertClean(problems);
  });

  test('the thread page /t is enhanced the same way', T, async () => {
    await amur.post('/t-page', 'On a /t page.', { author_name: 'Tee' });
    const { page, problems } = await reader();
    await page.goto(`${amur.url}/t?page=${encodeURIComponent('/t-page')}&sort=newest`);
    const w = await waitForWidget(page);
    assert.equal(await w.getAttribute('data-amur-page'), '/t-page');
    assert.equal(await w.getByRole('button', { name: 'Newest' }).getAttribute('aria-pressed'), 'true');
    await w.getByText('On a /t page.').waitFor();
    assertClean(problems);
  });

  test('without JavaScript /demo still reads and posts', T, async () => {
    const { page, problems } = await reader({ javaScriptEnabled: false });
    await page.goto(`${amur.url}/demo`);
    assert.equal(await widget(page).count(), 0);
    const section = page.locator('section.amur-thread#comments');
    await section.getByText('A first comment from the API.').waitFor();
    await section.getByLabel('Comment', { exact: true }).fill('Posted without JavaScript.');
    await section.getByLabel('Name').fill('No Script');
    // With JavaScript off, playwright-core 1.61 (the last release for Node 18)
    // never finds the button "stable" on Chromium 156, so the click skips the
    // actionability checks; a covered button would still not submit the form.
    const post = section.getByRole('button', { name: 'Post Comment' });
    await post.waitFor({ state: 'visible' });
    assert.equal(await post.isEnabled(), true);
    await Promise.all([page.waitForURL(/\/demo#c\d+$/), post.click({ force: true })]);
    await page.locator('section.amur-thread').getByText('Posted without JavaScript.').waitFor();
    assertClean(problems);
  });

  test('a screenshot of /demo, light and dark', T, async () => {
    await amur.post('/demo', 'The map makes the **1858** line much easier to follow. Would love one for 1860 too.', { author_name: 'Mapreader' });
    const all = (await amur.list('/demo')).comments;
    const target = all.find((c) => c.body_html.includes('Keyboard'))?.id || all[0].id;
    await amur.post('/demo', 'Seconded. The river border is the story here.', { author_name: 'Olga K.', parent_id: target });
    for (const colorScheme of ['light', 'dark']) {
      const { page, problems } = await reader({ colorScheme, viewport: { width: 1100, height: 1000 } });
      await page.goto(`${amur.url}/demo`);
      const w = await waitForWidget(page);
      await w.getByRole('button', { name: 'Upvote', exact: true }).first().click();
      await w.locator('[aria-pressed="true"].amur-vote-up').first().waitFor();
      await page.screenshot({ path: saveArtifact(colorScheme === 'light' ? 'demo.png' : 'demo-dark.png'), fullPage: true });
      await w.screenshot({ path: saveArtifact(`demo-thread-${colorScheme}.png`) });
      assertClean(problems);
    }
    const { page } = await reader({ viewport: { width: 375, height: 800 }, isMobile: true });
    await page.goto(`${amur.url}/demo`);
    await (await waitForWidget(page)).screenshot({ path: saveArtifact('demo-thread-narrow.png') });
  });
});
