// The desk's Flagged tab (issue 14), in headless Chromium: published comments
// flagged for a targeted-abuse signal or a suspect term are listed with their
// reasons named and the tab's count; Approve keeps a comment published and
// clears its flag, Reject hides it. An admin edits the targeted-abuse list on
// the Settings tab like the other term lists. Screenshot:
// build/e2e-artifacts/desk-flagged.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

const T = { timeout: 120000 };
const MOD = { email: 'mia@example.com', name: 'Mia Moderator', password: 'correct horse battery' };
const ADMIN = { email: 'ada@example.com', name: 'Ada Admin', password: 'admin horse battery' };
const PAGE = '/news/2026/ceasefire-talks';
let amur;
let browser;
const ids = {};

before(async () => {
  amur = await startAmur();
  addUser(amur.db, MOD, 'moderator');
  addUser(amur.db, ADMIN, 'admin');
  const post = async (body, name, extra = {}) => {
    const r = await amur.post(PAGE, body, { author_name: name, ...extra });
    assert.equal(r.comment.state, 'approved', body);
    return r.comment.id;
  };
  ids.civil = await post('The psychos in Washington will drag us into another war.', 'Olga');
  ids.monkey = await post('Nobody reads your monkey language, Ukroshitian.', 'Troll', { parent_id: ids.civil });
  ids.moron = await post('Only a moron believes the ceasefire will hold.', 'Blunt');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

function item(page, id) {
  return page.locator(`[role="option"][data-id="${id}"]`);
}

describe('the Flagged tab', () => {
  test('lists flagged comments with named reasons; approve clears the flag, reject hides', T, async () => {
    const reader = await openReader(browser);
    const { page } = reader;
    await page.goto(`${amur.url}/admin?refresh=1`);
    await page.getByLabel('Email').fill(MOD.email);
    await page.getByLabel('Password').fill(MOD.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
    await page.locator('[data-count="flagged"]', { hasText: '2' }).waitFor();

    await page.getByRole('tab', { name: /Flagged/ }).click();
    await item(page, ids.monkey).waitFor();
    await item(page, ids.moron).waitFor();
    assert.equal(await item(page, ids.civil).count(), 0);
    const chips = await item(page, ids.monkey).locator('.desk-chips[aria-label="Reasons"] li').allTextContents();
    for (const want of ['Dehumanising', 'Insult coinage', 'Aimed at a commenter']) assert.ok(chips.includes(want), chips.join(', '));
    assert.ok((await item(page, ids.moron).locator('.desk-chips li').allTextContents()).includes('Suspect term'));
    await page.screenshot({ path: saveArtifact('desk-flagged.png'), fullPage: true });

    // Approve: still published, no longer flagged (an example for the classifier).
    let answer = page.waitForResponse((r) => r.url().includes(`/comments/${ids.moron}/decision`));
    await item(page, ids.moron).getByRole('button', { name: `Approve ${ids.moron}` }).click();
    let r = await answer;
    assert.equal(r.status(), 200);
    const body = await r.json();
    assert.equal(body.state, 'approved');
    assert.equal(body.moderation.flagged, false);
    await item(page, ids.moron).waitFor({ state: 'detached' });

    // Reject: hidden from readers.
    answer = page.waitForResponse((r) => r.url().includes(`/comments/${ids.monkey}/decision`));
    await item(page, ids.monkey).getByRole('button', { name: `Reject ${ids.monkey}` }).click();
    r = await answer;
    assert.equal(r.status(), 200);
    await item(page, ids.monkey).waitFor({ state: 'detached' });
    await page.locator('[data-count="flagged"]', { hasText: '0' }).waitFor();

    const shown = [];
    const walk = (list) => list.forEach((c) => { shown.push(c.id); walk(c.replies || []); });
    walk((await amur.list(PAGE)).comments);
    assert.ok(shown.includes(ids.moron), shown.join(' '));
    assert.ok(!shown.includes(ids.monkey), shown.join(' '));
    const flagged = await amur.api('GET', '/api/v1/admin/queue?state=flagged', undefined, await amur.bearer(MOD));
    assert.equal(flagged.status, 200);
    assert.deepEqual(flagged.body.comments, []);
    await reader.context.close();
  });

  test('an admin edits the targeted-abuse list on the Settings tab; a broken line is refused', T, async () => {
    const reader = await openReader(browser);
    const { page } = reader;
    await page.goto(`${amur.url}/admin?refresh=1`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Pending', selected: true }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const targeted = page.getByLabel('Targeted-abuse signals');
    await targeted.waitFor();
    const admin = await amur.bearer(ADMIN);
    const before = (await amur.api('GET', '/api/v1/admin/settings', undefined, admin)).body;
    assert.equal(await targeted.inputValue(), before.terms.targeted);
    assert.match(before.terms.targeted, /^\[coinage-stem\]$/m);

    // "Zorblat" is nobody's stem yet: the coinage passes unflagged.
    const probe = async (body) => {
      const r = await amur.post(PAGE, body, { author_name: `Probe ${body.length}` });
      const q = await amur.api('GET', '/api/v1/admin/queue?state=flagged', undefined, admin);
      return q.body.comments.find((c) => c.id === r.comment.id);
    };
    assert.equal(await probe('Typical Zorblat-clowns, as usual.'), undefined);
    await targeted.fill(`${before.terms.targeted}\n[coinage-stem]\nzorbl\n[dehumanising]\n@group @be ~2 glorpwigs\n`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: /^Saved$/ }).waitFor();
    const coined = await probe('Spoken like a real Zorblat-clown again.');
    assert.ok(coined, 'the new stem flags');
    assert.ok(coined.moderation.reasons.includes('insult_coinage'), coined.moderation.reasons.join(', '));
    const phrase = await probe('Those people are glorpwigs.');
    assert.ok(phrase && phrase.moderation.reasons.includes('dehumanising'), 'the new phrase flags');
    const saved = (await amur.api('GET', '/api/v1/admin/settings', undefined, admin)).body;
    assert.match(saved.terms.targeted, /^zorbl$/m);

    // A phrase naming a class that does not exist is refused by line; nothing changes.
    await page.getByLabel('Targeted-abuse signals').fill(`${saved.terms.targeted}\n[threat]\n@nosuchclass you\n`);
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /unknown class @nosuchclass/ }).waitFor();
    assert.equal((await amur.api('GET', '/api/v1/admin/settings', undefined, admin)).body.terms.targeted,
      saved.terms.targeted);
    await reader.context.close();
  });
});
