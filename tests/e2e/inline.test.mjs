// Inline feedback in the widget on /demo (issue 13): the demo article comes
// with two passages commented on; a passage with comments is marked in the article with its count; selecting text offers "Comment on
// this passage", and the comment is posted with quote and position; the
// Inline Feedbacks tab lists passages (one that changed is said to have
// changed, and is not marked); a mark opens its passage by keyboard; the
// hash line comes with the listing, not from a request of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, saveArtifact, startAmur, waitForWidget } from './harness.mjs';

const T = { timeout: 90000 };
const PASSAGE = 'the two sides met at Aigun, a Qing garrison town';
let amur;
let browser;

before(async () => {
  amur = await startAmur([], { demoComments: true });
  browser = await launchBrowser();
  await amur.post('/demo', 'Aigun is Aihui today.', {
    author_name: 'Ann', quote: { exact: PASSAGE, prefix: 'It was in those circumstances that ', suffix: ' on the river' }
  });
  await amur.post('/demo', 'This sentence was rewritten.', {
    author_name: 'Bo', quote: { exact: 'a sentence that the editors have since removed from the article', prefix: '', suffix: '' }
  });
  await amur.post('/demo', 'A plain comment.', { author_name: 'Cy' });
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

test('passages are marked, listed, opened by keyboard, and commented on', T, async () => {
  const { page, problems } = await openReader(browser);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${amur.url}/demo`);
  const w = await waitForWidget(page);
  const buttons = page.locator('article.story mark.amur-hl[role="button"]');
  await buttons.nth(2).waitFor({ timeout: 10000 });
  // Three passages marked (two from the demo, one posted above); the removed
  // one is not. Each mark group holds exactly its quote.
  assert.equal(await buttons.count(), 3);
  const marked = await page.evaluate(() => {
    const by = {};
    document.querySelectorAll('article.story mark.amur-hl').forEach((m) => {
      const g = m.getAttribute('data-amur-g');
      by[g] = (by[g] || '') + m.firstChild.textContent;
    });
    return Object.values(by).sort();
  });
  assert.deepEqual(marked, ['both governments declared the whole border settled', PASSAGE,
    'the ownership of many river islands unclear'].sort());
  assert.deepEqual(await page.locator('article.story .amur-hl-n').allTextContents(), ['1', '1', '1']);
  assert.match(await w.locator('.amur-integrity').textContent(), /hash: verified/);
  assert.ok(!requests.includes('/api/v1/pages/verify'), 'no separate verify request');

  // Keyboard: focus the mark, press Enter: the Inline Feedbacks tab, at that passage.
  const myMark = page.locator('article.story mark.amur-hl[role="button"]', { hasText: 'the two sides met' });
  await myMark.focus();
  await page.keyboard.press('Enter');
  const passages = w.locator('li.amur-passage');
  await passages.first().waitFor();
  assert.equal(await passages.count(), 4);
  const focused = w.locator('li.amur-passage:focus');
  assert.match(await focused.textContent(), /On this passage:.*the two sides met at Aigun.*Aihui today/s);
  assert.match(await passages.nth(3).textContent(), /On a passage that has since changed:.*This sentence was rewritten/s);
  assert.equal(await w.locator('[data-act="inline"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await w.locator('.amur-body', { hasText: 'A plain comment.' }).count(), 0);
  await page.screenshot({ path: saveArtifact('inline-tab.png') });

  // View all comments: the whole thread again.
  await w.locator('button[data-act="back"]').click();
  await w.locator('.amur-body', { hasText: 'A plain comment.' }).waitFor();
  assert.equal(await passages.count(), 0);

  // Select a passage of the article; the button opens the form with it quoted.
  const exact = await page.evaluate(() => {
    const p = Array.from(document.querySelectorAll('article.story .story-body p'))
      .find((x) => x.textContent.includes('Nerchinsk in 1689'));
    const node = p.firstChild, start = node.data.indexOf('concluded at Nerchinsk');
    const r = document.createRange();
    r.setStart(node, start);
    r.setEnd(node, start + 'concluded at Nerchinsk in 1689'.length);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
    document.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    return r.toString();
  });
  const pass = page.locator('button.amur-pass');
  await pass.waitFor({ state: 'visible' });
  assert.equal(await pass.textContent(), 'Comment on this passage');
  await pass.click();
  const composer = w.locator('.amur-composer');
  assert.equal(await composer.locator('.amur-quoting blockquote').textContent(), exact);
  await composer.locator('textarea').fill('Nerchinsk kept Russia away from the river.');
  await composer.locator('button[type="submit"]').click();
  await w.locator('.amur-body', { hasText: 'Nerchinsk kept Russia' }).waitFor();
  await buttons.nth(3).waitFor();
  assert.equal(await buttons.count(), 4);

  const listed = await (await fetch(`${amur.url}/api/v1/comments?page=/demo&filter=inline`)).json();
  const mine = listed.comments.find((c) => c.quote.exact === exact);
  assert.ok(mine, 'posted as inline feedback');
  assert.ok(mine.quote.prefix.endsWith('The first treaty between the two empires, '), mine.quote.prefix);
  assert.match(mine.quote.suffix, /^, kept Russia away/);
  assert.ok(mine.position.end - mine.position.start === exact.length);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.offLoopback, []);
});
