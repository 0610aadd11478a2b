/**
 * The web page of the tutorial's public mode (AUTH_MODE none) in headless Chromium: no sign-in at all, the list
 * works at once. (A file of its own: a process runs one local system, and app.test.ts's signs in with OIDC.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, useLocalSystem } from '../e2e/support.js';
import { DEADLINE_MS, eventually, openWatchedPage, useChromium } from './support.js';

let base: string;
const browser = useChromium();

useLocalSystem('none', (system) => {
  base = system.url;
});

/** The todos as the server has them (one anonymous owner). */
async function serverTodos(): Promise<Array<{ title: string; completed: boolean }>> {
  const reply = await call(base, 'GET', '/todos');
  assert.equal(reply.status, 200, reply.text);
  return (JSON.parse(reply.text) as Array<{ title: string; completed: boolean }>).map(({ title, completed }) => ({
    title,
    completed,
  }));
}

describe('the web page without sign-in (AUTH_MODE none)', { timeout: DEADLINE_MS }, () => {
  it('offers no sign-in, and the list works at once', async (t) => {
    const config = await call(base, 'GET', '/config.json');
    assert.deepEqual(JSON.parse(config.text), { auth: 'none' });

    const watched = await openWatchedPage(browser(), base);
    t.after(() => watched.context.close());
    const { page } = watched;
    const tokens: string[] = [];
    page.on('request', (request) => {
      if (request.headers().authorization !== undefined) tokens.push(request.url());
    });
    await page.goto(base);
    await page.locator('.todoapp').waitFor();
    await eventually(
      () => page.locator('.new-todo').evaluate((input) => input === input.ownerDocument.activeElement),
      true,
    );
    for (const selector of ['#sign-in', '#sign-out', '#welcome-sign-in', '.welcome', '.account']) {
      assert.equal(await page.locator(selector).isVisible(), false, `${selector} is not shown`);
    }
    assert.equal(await page.locator('.who').textContent(), '');

    await page.locator('.new-todo').fill('Read the tutorial');
    await page.locator('.new-todo').press('Enter');
    await eventually(() => page.locator('.todo-list li label').allTextContents(), ['Read the tutorial']);
    assert.deepEqual(await serverTodos(), [{ title: 'Read the tutorial', completed: false }]);

    await page.locator('.todo-list li .toggle').click();
    await eventually(() => page.locator('.todo-list li.completed').count(), 1);
    assert.deepEqual(await serverTodos(), [{ title: 'Read the tutorial', completed: true }]);
    assert.equal(await page.locator('.todo-count').textContent(), '0 items left');

    await page.reload();
    await eventually(() => page.locator('.todo-list li.completed label').allTextContents(), ['Read the tutorial']);
    assert.deepEqual(tokens, [], 'no request of the page carried a token: there is none to carry');
    await watched.assertClean();
  });
});
