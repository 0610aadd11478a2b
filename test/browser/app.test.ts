/**
 * The web page (GET / for browsers: src/web/page.ts, web/*.ts) in headless Chromium, against a local system with
 * OIDC sign-in through the local issuer's authorize page: TodoMVC's behaviour, each change checked on the server
 * too; reloads, sign-out and a second user; a list longer than a page; the server's problems and faults shown in
 * words; stale edits; accessibility (axe-core, the keyboard); page weight and caching; a phone's viewport. With
 * WEB_SCREENSHOT=<path>, also the README's screenshot (WEB_SCREENSHOT=docs/web-app.png).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it, type TestContext } from 'node:test';
import type AxeCore from 'axe-core';
import type { BrowserContextOptions, Locator, Page, Response } from 'playwright-core';
import type { LocalSystem } from '../../local/server.js';
import { assertProblem, call, nextLink, useLocalSystem } from '../e2e/support.js';
import { eventually, openWatchedPage, useChromium, type WatchedPage } from './support.js';

/** Each test's own limit; the whole file runs in well under a minute. */
const TEST_MS = 30_000;
/** The page's weight on first load, everything it transfers included. */
const MAX_FIRST_LOAD_BYTES = 60 * 1024;
const YEAR_SECONDS = 31_536_000;
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let system: LocalSystem;
let base: string;
const browser = useChromium();

useLocalSystem('oidc', (started) => {
  system = started;
  base = started.url;
});

interface Item {
  title: string;
  completed: boolean;
}

interface ServerTodo extends Item {
  id: string;
  url: string;
  etag: string;
}

const tokens = new Map<string, Promise<string>>();
/** A token of the local issuer for `user`: the same owner as signing in as `user` on the page. */
function tokenOf(user: string): Promise<string> {
  let token = tokens.get(user);
  if (!token) {
    token = system.issueToken(user);
    tokens.set(user, token);
  }
  return token;
}

async function auth(user: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenOf(user)}` };
}

/** Every todo of `user` as the server has them, oldest first (following the Link headers). */
async function serverList(user: string): Promise<ServerTodo[]> {
  const headers = await auth(user);
  const todos: ServerTodo[] = [];
  let next: string | undefined = '/todos';
  while (next !== undefined) {
    const reply = await call(base, 'GET', next, { headers });
    assert.equal(reply.status, 200, reply.text);
    todos.push(...(JSON.parse(reply.text) as ServerTodo[]));
    next = nextLink(reply);
  }
  return todos;
}

async function serverTodos(user: string): Promise<Item[]> {
  return (await serverList(user)).map(({ title, completed }) => ({ title, completed }));
}

async function createTodos(user: string, items: Array<string | Item>): Promise<ServerTodo[]> {
  const headers = await auth(user);
  const created: ServerTodo[] = [];
  // One after another: the server lists them in the order they were made.
  for (const item of items) {
    const json = typeof item === 'string' ? { title: item } : item;
    const reply = await call(base, 'POST', '/todos', { json, headers });
    assert.equal(reply.status, 201, reply.text);
    created.push(JSON.parse(reply.text) as ServerTodo);
  }
  return created;
}

/** The todos the page lists, as it shows them. */
function shown(page: Page): Promise<Item[]> {
  return page.locator('.todo-list li').evaluateAll((items) =>
    items.map((item) => ({
      title: item.querySelector('label')?.textContent ?? '',
      completed: item.classList.contains('completed'),
    })),
  );
}

/** The text of what `selector` finds, without waiting for it ('' when there is none). */
const textOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((found) => found.map((element) => element.textContent).join(''));
const titlesShown = (page: Page) => page.locator('.todo-list li label').allTextContents();
const countText = (page: Page) => page.locator('.todo-count').textContent();
const isFocused = (locator: Locator) => locator.evaluate((element) => element === element.ownerDocument.activeElement);
/** The todo titled `title`, as the page lists it. */
const todoItem = (page: Page, title: string) =>
  page.locator('.todo-list li').filter({
    has: page.locator('label', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });

/** A page in a new browser context, closed after the test. */
async function open(t: TestContext, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser(), base, options);
  t.after(() => watched.context.close());
  return watched;
}

/**
 * Signs in as `user` from the signed-out page, through the local issuer's authorize page, and waits until the
 * page is back, signed in, with the user's list loaded.
 */
async function signIn(watched: WatchedPage, user: string, button = '#sign-in'): Promise<void> {
  const { page } = watched;
  await page.locator(button).click();
  await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  const banner = page.getByText(/Local development only/).first();
  assert.equal(await banner.isVisible(), true, 'the authorize page says it is for local development only');
  await page.getByLabel('User name').fill(user);
  const listed = page.waitForResponse(
    (response) => response.request().method() === 'GET' && new URL(response.url()).pathname === '/todos',
  );
  // Awaited once the page says who is signed in; a failure before that is the one to report.
  listed.catch(() => {});
  const back = page.waitForResponse(
    (response) => response.request().isNavigationRequest() && new URL(response.url()).pathname === '/',
  );
  back.catch(() => {});
  await page.getByRole('button', { name: 'Sign in' }).click();
  const answer = await back;
  assert.equal(answer.status(), 200, `the page, at ${answer.url()}, answers: ${await answer.text()}`);
  // Back on the page, which takes the code from the address (and removes it), and shows who is signed in.
  await eventually(
    async () => ({
      url: page.url(),
      who: await textOf(page, '.who'),
      error: await textOf(page, '#error'),
      problems: [...watched.problems],
    }),
    { url: `${base}/`, who: `Signed in as ${user}`, error: '', problems: [] },
    `signed in as ${user}, back on the page`,
  );
  assert.equal((await listed).status(), 200);
  assert.equal(await page.locator('.todoapp').isVisible(), true);
  assert.equal(await page.locator('.welcome').isVisible(), false);
}

/** Opens the page signed out, then signs in as `user`. */
async function openSignedIn(t: TestContext, user: string, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const watched = await open(t, options);
  await watched.page.goto(base);
  await watched.page.locator('.welcome').waitFor();
  await signIn(watched, user);
  return watched;
}

async function addTodo(page: Page, title: string): Promise<void> {
  const before = (await titlesShown(page)).length;
  await page.locator('.new-todo').fill(title);
  await page.locator('.new-todo').press('Enter');
  await eventually(async () => (await titlesShown(page)).length, before + 1, `“${title.trim()}” is added`);
}

describe('the web page in headless Chromium (AUTH_MODE oidc)', { timeout: 10 * TEST_MS }, () => {
  it('signs in through the local issuer, and does everything TodoMVC does, on the server too', {
    timeout: TEST_MS,
  }, async (t) => {
    const user = 'alice';
    const watched = await open(t);
    const { page, requests } = watched;
    await page.goto(base);
    await page.locator('.welcome').waitFor();
    assert.equal(await page.locator('.todoapp').isVisible(), false, 'no list before signing in');
    await signIn(watched, user, '#welcome-sign-in');
    assert.equal(await isFocused(page.locator('.new-todo')), true, 'the new todo field has the focus');
    assert.equal(await page.locator('#sign-out').isVisible(), true);
    assert.equal(await page.locator('#sign-in').isVisible(), false);

    // Whitespace adds nothing; titles are trimmed.
    await page.locator('.new-todo').fill('   ');
    await page.locator('.new-todo').press('Enter');
    await addTodo(page, '  Buy milk  ');
    assert.deepEqual(await shown(page), [{ title: 'Buy milk', completed: false }]);
    assert.deepEqual(await serverTodos(user), [{ title: 'Buy milk', completed: false }]);
    assert.equal(requests.filter((request) => request === 'POST /todos').length, 1, 'one todo sent, not two');
    assert.equal(await page.locator('.new-todo').inputValue(), '', 'the field is emptied');

    await addTodo(page, 'Walk the dog');
    await addTodo(page, 'Write tests');
    const three = ['Buy milk', 'Walk the dog', 'Write tests'].map((title) => ({ title, completed: false }));
    assert.deepEqual(await shown(page), three);
    assert.deepEqual(await serverTodos(user), three);
    assert.equal(await countText(page), '3 items left');
    assert.equal(await page.locator('.clear-completed').isVisible(), false);

    // Complete one.
    await todoItem(page, 'Walk the dog').locator('.toggle').click();
    const oneDone = [
      { title: 'Buy milk', completed: false },
      { title: 'Walk the dog', completed: true },
      { title: 'Write tests', completed: false },
    ];
    await eventually(() => shown(page), oneDone);
    assert.deepEqual(await serverTodos(user), oneDone);
    assert.equal(await countText(page), '2 items left');
    assert.equal(await page.locator('.todo-count strong').textContent(), '2');
    assert.equal(await page.locator('.clear-completed').isVisible(), true);

    // The filters: the address, the selected link and the list follow.
    for (const [href, titles] of [
      ['#/active', ['Buy milk', 'Write tests']],
      ['#/completed', ['Walk the dog']],
      ['#/', ['Buy milk', 'Walk the dog', 'Write tests']],
    ] as const) {
      await page.locator(`.filters a[href="${href}"]`).click();
      await eventually(() => titlesShown(page), [...titles], `the list of ${href}`);
      assert.equal(new URL(page.url()).hash, href);
      assert.deepEqual(
        await page.locator('.filters a.selected').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
        [href],
      );
    }
    assert.deepEqual(await serverTodos(user), oneDone, 'filtering changes nothing');

    // Edit: double-click, type, Enter saves.
    await todoItem(page, 'Buy milk').locator('label').dblclick();
    const editing = page.locator('.todo-list li.editing');
    await editing.waitFor();
    const edit = editing.locator('.edit');
    assert.equal(await isFocused(edit), true, 'the edit field has the focus');
    assert.equal(await edit.inputValue(), 'Buy milk');
    await edit.fill('  Buy oat milk ');
    await edit.press('Enter');
    await eventually(() => titlesShown(page), ['Buy oat milk', 'Walk the dog', 'Write tests']);
    assert.equal(await page.locator('.todo-list li.editing').count(), 0);
    const edited = [{ title: 'Buy oat milk', completed: false }, ...oneDone.slice(1)];
    assert.deepEqual(await serverTodos(user), edited);

    // Escape cancels: nothing is sent…
    const mark = requests.length;
    await todoItem(page, 'Write tests').locator('label').dblclick();
    await page.locator('.todo-list li.editing .edit').fill('Write no tests');
    await page.locator('.todo-list li.editing .edit').press('Escape');
    assert.equal(await page.locator('.todo-list li.editing').count(), 0);
    assert.deepEqual(await titlesShown(page), ['Buy oat milk', 'Walk the dog', 'Write tests']);
    // …and an empty title deletes. (Had Escape saved, its PATCH would have gone before this DELETE.)
    const writeTestsId = await todoItem(page, 'Write tests').getAttribute('data-id');
    await todoItem(page, 'Write tests').locator('label').dblclick();
    await page.locator('.todo-list li.editing .edit').fill('   ');
    await page.locator('.todo-list li.editing .edit').press('Enter');
    await eventually(() => titlesShown(page), ['Buy oat milk', 'Walk the dog']);
    assert.deepEqual(requests.slice(mark), [`DELETE /todos/${writeTestsId}`]);
    assert.deepEqual(await serverTodos(user), edited.slice(0, 2));

    // Delete with the button that shows on hover.
    await addTodo(page, 'Call mom');
    await addTodo(page, 'Read a book');
    const callMom = todoItem(page, 'Call mom');
    await page.mouse.move(0, 0);
    assert.equal(await callMom.locator('.destroy').isVisible(), false, 'the delete button shows on hover only');
    await callMom.hover();
    await callMom.locator('.destroy').click();
    await eventually(() => titlesShown(page), ['Buy oat milk', 'Walk the dog', 'Read a book']);
    const remaining = [
      { title: 'Buy oat milk', completed: false },
      { title: 'Walk the dog', completed: true },
      { title: 'Read a book', completed: false },
    ];
    assert.deepEqual(await serverTodos(user), remaining);

    // Toggle all, then untoggle all.
    await page.locator('label[for="toggle-all"]').click();
    const allDone = remaining.map(({ title }) => ({ title, completed: true }));
    await eventually(() => shown(page), allDone);
    assert.deepEqual(await serverTodos(user), allDone);
    assert.equal(await countText(page), '0 items left');
    assert.equal(await page.locator('#toggle-all').isChecked(), true);
    await page.locator('label[for="toggle-all"]').click();
    const noneDone = remaining.map(({ title }) => ({ title, completed: false }));
    await eventually(() => shown(page), noneDone);
    assert.deepEqual(await serverTodos(user), noneDone);
    assert.equal(await countText(page), '3 items left');
    assert.equal(await page.locator('#toggle-all').isChecked(), false);

    // Clear completed.
    await todoItem(page, 'Buy oat milk').locator('.toggle').click();
    await todoItem(page, 'Read a book').locator('.toggle').click();
    await eventually(async () => (await shown(page)).filter((item) => item.completed).length, 2);
    assert.equal(await countText(page), '1 item left');
    await page.locator('.clear-completed').click();
    await eventually(() => shown(page), [{ title: 'Walk the dog', completed: false }]);
    assert.deepEqual(await serverTodos(user), [{ title: 'Walk the dog', completed: false }]);
    assert.equal(await page.locator('.clear-completed').isVisible(), false);
    await watched.assertClean();
  });

  it('shows the same list and filter after a reload, still signed in', { timeout: TEST_MS }, async (t) => {
    const user = 'bob';
    await createTodos(user, [{ title: 'One', completed: true }, 'Two', 'Three']);
    const watched = await openSignedIn(t, user);
    const { page, requests } = watched;
    await page.locator('.filters a[href="#/completed"]').click();
    await eventually(() => titlesShown(page), ['One']);

    const mark = requests.length;
    await page.reload();
    await eventually(() => page.locator('.who').textContent(), `Signed in as ${user}`);
    await eventually(() => titlesShown(page), ['One']);
    assert.equal(new URL(page.url()).hash, '#/completed');
    assert.equal(await page.locator('.filters a.selected').getAttribute('href'), '#/completed');
    assert.equal(await countText(page), '2 items left');
    await page.locator('.filters a[href="#/"]').click();
    await eventually(
      () => shown(page),
      [
        { title: 'One', completed: true },
        { title: 'Two', completed: false },
        { title: 'Three', completed: false },
      ],
    );
    const signInTraffic = requests.slice(mark).filter((request) => /^\w+ \/(oauth2|\.well-known)\//.test(request));
    assert.deepEqual(signInTraffic, [], 'the reload did not go through the issuer again');
    await watched.assertClean();
  });

  it('signs out, and another user sees none of the first one’s todos', { timeout: TEST_MS }, async (t) => {
    await createTodos('carol', ['Carol’s first', 'Carol’s second']);
    const watched = await openSignedIn(t, 'carol');
    const { page } = watched;
    await eventually(() => titlesShown(page), ['Carol’s first', 'Carol’s second']);

    await page.locator('#sign-out').click();
    await page.locator('.welcome').waitFor();
    assert.equal(await page.locator('.todoapp').isVisible(), false);
    assert.equal(await page.locator('#sign-in').isVisible(), true);
    assert.equal(await page.locator('#sign-out').isVisible(), false);
    assert.equal(await page.locator('.who').textContent(), '');
    assert.equal(await page.locator('.todo-list li:visible').count(), 0, 'no todo shown');
    // Checked at the end: what the signed-out page still holds, hidden or not.
    const leftInPage = await titlesShown(page);
    const stored = await page.evaluate(() =>
      Object.keys((globalThis as unknown as { sessionStorage: object }).sessionStorage),
    );
    assert.deepEqual(stored, [], 'nothing of the session is kept');

    await signIn(watched, 'dave');
    assert.deepEqual(await titlesShown(page), [], 'dave sees none of carol’s todos');
    assert.equal(await page.locator('.main').isVisible(), false);
    await addTodo(page, 'Dave’s only');
    assert.deepEqual(await serverTodos('dave'), [{ title: 'Dave’s only', completed: false }]);

    await page.locator('#sign-out').click();
    await page.locator('.welcome').waitFor();
    await signIn(watched, 'carol');
    await eventually(() => titlesShown(page), ['Carol’s first', 'Carol’s second']);
    assert.deepEqual(await serverTodos('carol'), [
      { title: 'Carol’s first', completed: false },
      { title: 'Carol’s second', completed: false },
    ]);
    assert.deepEqual(leftInPage, [], 'once signed out, none of carol’s todos is left in the page, even hidden');
    await watched.assertClean();
  });

  it('shows more than a page of todos (105), following Link: rel="next"', { timeout: TEST_MS }, async (t) => {
    const user = 'erin';
    const titles = Array.from({ length: 105 }, (_, i) => `Todo ${String(i + 1).padStart(3, '0')}`);
    await createTodos(user, titles);
    assert.deepEqual(
      (await serverList(user)).map((todo) => todo.title),
      titles,
    );
    const watched = await openSignedIn(t, user);
    const { page, requests } = watched;
    await eventually(() => page.locator('.todo-list li').count(), 105);
    assert.deepEqual(await titlesShown(page), titles);
    assert.equal(await countText(page), '105 items left');
    const lists = requests.filter((request) => request.startsWith('GET /todos?'));
    assert.equal(lists.length, 2, `two pages asked for: ${lists.join(', ')}`);

    await page.reload();
    await eventually(() => page.locator('.todo-list li').count(), 105);
    assert.equal(await countText(page), '105 items left');
    await watched.assertClean();
  });

  it('shows the server’s problem in words, and a fault with its request id', { timeout: TEST_MS }, async (t) => {
    const user = 'frank';
    const long = 'x'.repeat(1001);
    const direct = assertProblem(
      await call(base, 'POST', '/todos', { json: { title: long }, headers: await auth(user) }),
      400,
    );

    const watched = await openSignedIn(t, user);
    const { page } = watched;
    await page.locator('.new-todo').fill(long);
    await page.locator('.new-todo').press('Enter');
    // The problem's detail, with what it says of each field.
    const fields = (direct.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ');
    assert.match(fields, /^title must be at most 1000 characters$/);
    await eventually(() => page.locator('#error').textContent(), `${direct.detail} (${fields})`);
    assert.equal(await page.locator('#error').isVisible(), true);
    assert.equal(await page.locator('#error').getAttribute('role'), 'alert');
    assert.equal(await page.locator('.new-todo').inputValue(), long, 'what was typed is not lost');
    assert.deepEqual(await titlesShown(page), []);
    assert.deepEqual(await serverTodos(user), [], 'nothing was stored');
    watched.expectProblems(/^400: POST \/todos$/, /^console: Failed to load resource: .* 400/);

    // A fault: one POST answered 503 by the test.
    const fault = {
      type: 'urn:todo-api:problem:unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The service is busy: try again in a moment.',
      requestId: 'Zm9vYmFyYmF6cXV4',
    };
    let faked = 0;
    await page.route(
      (url) => url.pathname === '/todos',
      async (route) => {
        if (route.request().method() !== 'POST' || faked > 0) return route.fallback();
        faked++;
        watched.faked(route.request());
        return route.fulfill({
          status: 503,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
          body: JSON.stringify(fault),
        });
      },
    );
    await page.locator('.new-todo').fill('Try again later');
    await page.locator('.new-todo').press('Enter');
    await eventually(
      async () => {
        const text = (await page.locator('#error').textContent()) ?? '';
        return text.includes(fault.detail) && text.includes(fault.requestId);
      },
      true,
      'the fault’s detail and request id are shown',
    );
    assert.equal(faked, 1);
    assert.equal(await page.locator('.new-todo').inputValue(), 'Try again later');
    assert.deepEqual(await serverTodos(user), []);
    watched.expectProblems(/^503: POST \/todos$/, /^console: Failed to load resource: .* 503/);

    // Once it answers again, the same text goes through and the problem is gone.
    await page.locator('.new-todo').press('Enter');
    await eventually(() => titlesShown(page), ['Try again later']);
    assert.equal(await page.locator('#error').textContent(), '');
    assert.equal(await page.locator('#error').isVisible(), false);
    assert.deepEqual(await serverTodos(user), [{ title: 'Try again later', completed: false }]);
    await watched.assertClean();
  });

  it('refuses an edit of a todo changed elsewhere, and shows the latest version', { timeout: TEST_MS }, async (t) => {
    const user = 'grace';
    const [original, other] = await createTodos(user, ['Original', 'Other']);
    assert.ok(original && other);
    const watched = await openSignedIn(t, user);
    const { page, requests } = watched;
    await eventually(() => titlesShown(page), ['Original', 'Other']);

    // Changed through the API while the page shows it.
    const changed = await call(base, 'PATCH', original.url, {
      json: { title: 'Changed elsewhere' },
      headers: await auth(user),
    });
    assert.equal(changed.status, 200, changed.text);

    await todoItem(page, 'Original').locator('label').dblclick();
    await page.locator('.todo-list li.editing .edit').fill('Mine');
    const patch = page.waitForRequest((request) => request.method() === 'PATCH');
    await page.locator('.todo-list li.editing .edit').press('Enter');
    assert.equal((await patch).headers()['if-match'], original.etag, 'the page names the version it showed');
    await eventually(
      () => page.locator('#notice').textContent(),
      '“Original” was changed elsewhere, so your change was not saved. It now shows the latest version.',
    );
    assert.equal(await page.locator('#notice').getAttribute('role'), 'status');
    assert.deepEqual(await titlesShown(page), ['Changed elsewhere', 'Other']);
    assert.deepEqual(await serverTodos(user), [
      { title: 'Changed elsewhere', completed: false },
      { title: 'Other', completed: false },
    ]);
    assert.ok(requests.includes(`PATCH /todos/${original.id}`));
    watched.expectProblems(/^412: PATCH \/todos\//, /^console: Failed to load resource: .* 412/);

    // The page now holds the latest version: the next edit goes through.
    await todoItem(page, 'Changed elsewhere').locator('label').dblclick();
    await page.locator('.todo-list li.editing .edit').fill('Mine after all');
    await page.locator('.todo-list li.editing .edit').press('Enter');
    await eventually(() => titlesShown(page), ['Mine after all', 'Other']);
    assert.deepEqual((await serverTodos(user))[0], { title: 'Mine after all', completed: false });

    // A delete of a todo changed elsewhere is refused too.
    const done = await call(base, 'PATCH', other.url, { json: { completed: true }, headers: await auth(user) });
    assert.equal(done.status, 200, done.text);
    const item = todoItem(page, 'Other');
    await item.hover();
    await item.locator('.destroy').click();
    await eventually(
      () => page.locator('#notice').textContent(),
      '“Other” was changed elsewhere, so your change was not saved. It now shows the latest version.',
    );
    assert.deepEqual(await shown(page), [
      { title: 'Mine after all', completed: false },
      { title: 'Other', completed: true },
    ]);
    assert.deepEqual(await serverTodos(user), [
      { title: 'Mine after all', completed: false },
      { title: 'Other', completed: true },
    ]);
    watched.expectProblems(/^412: DELETE \/todos\//, /^console: Failed to load resource: .* 412/);
    await watched.assertClean();
  });

  it('takes a todo deleted elsewhere off the list when it is toggled', { timeout: TEST_MS }, async (t) => {
    const user = 'heidi';
    const [doomed] = await createTodos(user, ['Doomed', 'Kept']);
    assert.ok(doomed);
    const watched = await openSignedIn(t, user);
    const { page } = watched;
    await eventually(() => titlesShown(page), ['Doomed', 'Kept']);
    const gone = await call(base, 'DELETE', doomed.url, { headers: await auth(user) });
    assert.equal(gone.status, 204, gone.text);

    await todoItem(page, 'Doomed').locator('.toggle').click();
    // The page's list must come to match the server's, and say why in words.
    await eventually(
      async () => ({
        titles: await titlesShown(page),
        notice: await textOf(page, '#notice'),
        error: await textOf(page, '#error'),
        count: await textOf(page, '.todo-count'),
      }),
      { titles: ['Kept'], notice: '“Doomed” was deleted elsewhere.', error: '', count: '1 item left' },
      'the todo deleted elsewhere leaves the list, and the page says why',
    );
    assert.deepEqual(await serverTodos(user), [{ title: 'Kept', completed: false }]);
    watched.expectProblems(/: PATCH \/todos\//, /^console: Failed to load resource/);
    await watched.assertClean();
  });
});

interface AxeViolation {
  id: string;
  impact: AxeCore.ImpactValue;
  help: string;
  helpUrl: string;
  nodes: string[];
}

/** axe-core's violations on the page as it is now (the script injected: the context must bypass the page's CSP). */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: typeof AxeCore };
    const results = await axe.run({ resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => node.target.map(String).join(' ')),
    }));
  });
}

/** No violation of impact serious or critical; the others are reported, not failed. */
async function assertAccessible(t: TestContext, page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  const describeAll = (list: AxeViolation[]) =>
    list.map((v) => `${v.id} (${v.impact}): ${v.help} ${v.helpUrl}\n    ${v.nodes.join('\n    ')}`).join('\n');
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length > 0) t.diagnostic(`${what}, minor: ${describeAll(minor)}`);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(serious.length, 0, `${what}: axe-core finds\n${describeAll(serious)}`);
}

/** What has the keyboard's focus, in words: `.new-todo`, `todo 1 toggle`, `a Active`… */
function focused(page: Page): Promise<string> {
  return page.locator('body').evaluate((body) => {
    const element = body.ownerDocument.activeElement;
    if (!element || element === body) return 'nothing';
    const item = element.closest('.todo-list li');
    if (item) {
      const index = [...item.parentElement.children].indexOf(item);
      return `todo ${index} ${element.className || element.tagName.toLowerCase()}`;
    }
    if (element.tagName === 'A') return `a ${element.textContent.trim()}`;
    if (element.id) return `#${element.id}`;
    if (element.className) return `.${element.className.split(' ')[0]}`;
    return element.tagName.toLowerCase();
  });
}

describe('the web page for everyone, on any screen', { timeout: 10 * TEST_MS }, () => {
  it('has no serious accessibility violation: signed out, signing in, signed in', { timeout: TEST_MS }, async (t) => {
    const user = 'ivan';
    await createTodos(user, ['Buy oat milk', { title: 'Walk the dog', completed: true }, 'Write the README']);
    // For this test only: the page's CSP forbids injected scripts, axe-core's included.
    const watched = await open(t, { bypassCSP: true });
    const { page } = watched;
    await page.goto(base);
    await page.locator('.welcome').waitFor();
    await assertAccessible(t, page, 'the signed-out page');

    await page.locator('#sign-in').click();
    await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    await page.getByLabel('User name').waitFor();
    await assertAccessible(t, page, 'the local authorize page');
    await page.goBack();
    await page.locator('.welcome').waitFor();

    await signIn(watched, user);
    await eventually(async () => (await shown(page)).length, 3);
    await assertAccessible(t, page, 'the signed-in page');

    await todoItem(page, 'Write the README').locator('label').dblclick();
    await page.locator('.todo-list li.editing .edit').waitFor();
    await assertAccessible(t, page, 'the signed-in page, editing a todo');
    await page.locator('.todo-list li.editing .edit').press('Escape');
    await watched.assertClean();
  });

  it('works with the keyboard alone', { timeout: TEST_MS }, async (t) => {
    const user = 'judy';
    await createTodos(user, ['First', { title: 'Second', completed: true }, 'Third']);
    const watched = await openSignedIn(t, user);
    const { page } = watched;
    await eventually(() => titlesShown(page), ['First', 'Second', 'Third']);

    // From the account's button to the end of the page.
    await page.locator('#sign-out').focus();
    const order = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    assert.deepEqual(order, [
      '.new-todo',
      '#toggle-all',
      'todo 0 toggle',
      'todo 0 label',
      'todo 0 destroy',
      'todo 1 toggle',
      'todo 1 label',
      'todo 1 destroy',
      'todo 2 toggle',
      'todo 2 label',
      'todo 2 destroy',
      'a All',
      'a Active',
      'a Completed',
      '.clear-completed',
      'a API reference',
    ]);

    // Enter on a title edits it, Escape cancels, and the focus is back on the title.
    await todoItem(page, 'First').locator('label').focus();
    await page.keyboard.press('Enter');
    await page.locator('.todo-list li.editing').waitFor();
    assert.equal(await focused(page), 'todo 0 edit');
    await page.keyboard.type(' changed');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.todo-list li.editing').count(), 0);
    assert.equal(await focused(page), 'todo 0 label');

    // Tab to the delete button, which shows with the focus; Enter deletes.
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'todo 0 destroy');
    assert.equal(await todoItem(page, 'First').locator('.destroy').isVisible(), true, 'shown with the focus');
    await page.keyboard.press('Enter');
    await eventually(() => titlesShown(page), ['Second', 'Third']);
    assert.deepEqual(await serverTodos(user), [
      { title: 'Second', completed: true },
      { title: 'Third', completed: false },
    ]);

    // Enter on a title, type, Enter saves: the focus comes back to the title.
    await todoItem(page, 'Third').locator('label').focus();
    await page.keyboard.press('Enter');
    await page.locator('.todo-list li.editing').waitFor();
    await page.keyboard.press('End');
    await page.keyboard.type(' of all');
    await page.keyboard.press('Enter');
    await eventually(() => titlesShown(page), ['Second', 'Third of all']);
    assert.equal((await serverTodos(user))[1]?.title, 'Third of all');
    const afterSave = await focused(page);

    // Space on a toggle completes the todo.
    await todoItem(page, 'Third of all').locator('.toggle').focus();
    await page.keyboard.press('Space');
    await eventually(async () => (await shown(page)).every((item) => item.completed), true);
    assert.deepEqual(await serverTodos(user), [
      { title: 'Second', completed: true },
      { title: 'Third of all', completed: true },
    ]);
    const afterToggle = await focused(page);

    // The server's answer redraws the list: the focus must stay where the person left it, not fall to the page.
    assert.deepEqual(
      { afterSave, afterToggle },
      { afterSave: 'todo 1 label', afterToggle: 'todo 1 toggle' },
      'the focus after the server answered',
    );
    await watched.assertClean();
  });

  it('weighs at most 60 KB on first load, signed in, its files gzipped and cached for a year', {
    timeout: TEST_MS,
  }, async (t) => {
    const user = 'mallory';
    await createTodos(user, ['Buy oat milk', { title: 'Walk the dog', completed: true }, 'Write the README']);
    // Signed in on one page; its session (this tab's sessionStorage) handed to a new context, cache empty.
    const signedIn = await openSignedIn(t, user);
    const session = await signedIn.page.evaluate(() => {
      const { sessionStorage } = globalThis as unknown as { sessionStorage: Record<string, string> };
      return { ...sessionStorage };
    });
    assert.ok(Object.keys(session).length > 0, 'the session is in sessionStorage');
    await signedIn.assertClean();

    const watched = await open(t);
    const { page, context } = watched;
    await context.addInitScript((entries) => {
      const { sessionStorage } = globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } };
      for (const [key, value] of Object.entries(entries)) sessionStorage.setItem(key, value);
    }, session);
    const responses: Response[] = [];
    page.on('response', (response) => responses.push(response));
    await page.goto(base);
    await eventually(() => titlesShown(page), ['Buy oat milk', 'Walk the dog', 'Write the README']);
    await page.waitForLoadState('networkidle');

    const loaded = await Promise.all(
      responses.map(async (response) => {
        const sizes = await response.request().sizes();
        const url = new URL(response.url());
        return {
          what: `${response.request().resourceType()} ${url.pathname}${url.search}`,
          bytes: sizes.responseBodySize + sizes.responseHeadersSize,
          headers: await response.allHeaders(),
          type: response.request().resourceType(),
        };
      }),
    );
    const total = loaded.reduce((sum, { bytes }) => sum + bytes, 0);
    t.diagnostic(`first load: ${total} bytes: ${loaded.map(({ what, bytes }) => `${what} ${bytes}`).join(', ')}`);
    assert.deepEqual(
      loaded.map(({ type }) => type).sort(),
      ['document', 'fetch', 'fetch', 'script', 'stylesheet'],
      `the page, its two files, config.json and the list: ${loaded.map(({ what }) => what).join(', ')}`,
    );
    assert.ok(total <= MAX_FIRST_LOAD_BYTES, `the first load transferred ${total} bytes, over ${MAX_FIRST_LOAD_BYTES}`);

    for (const file of loaded.filter(({ type }) => type === 'script' || type === 'stylesheet')) {
      assert.equal(file.headers['content-encoding'], 'gzip', `${file.what} is gzipped`);
      const cacheControl = file.headers['cache-control'] ?? '';
      assert.match(cacheControl, /\bimmutable\b/, `${file.what}: ${cacheControl}`);
      const maxAge = Number(/\bmax-age=(\d+)/.exec(cacheControl)?.[1] ?? 0);
      assert.ok(maxAge >= YEAR_SECONDS, `${file.what}: ${cacheControl}`);
    }
    const html = loaded.find(({ type }) => type === 'document');
    assert.match(html?.headers['cache-control'] ?? '', /^no-cache$/, 'the page itself is never kept stale');
    await watched.assertClean();
  });

  it('fits a phone’s screen (375×667)', { timeout: TEST_MS }, async (t) => {
    const user = 'niaj';
    const long = `A-very-long-title-with-no-space-at-all-${'x'.repeat(80)}`;
    await createTodos(user, ['Buy oat milk', { title: 'Walk the dog', completed: true }, long]);
    const phone = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const watched = await open(t, phone);
    const { page } = watched;
    const scrollWidth = () => page.locator('html').evaluate((html) => html.scrollWidth);

    await page.goto(base);
    await page.locator('.welcome').waitFor();
    assert.ok((await scrollWidth()) <= 375, `signed out: ${await scrollWidth()} px wide`);
    await signIn(watched, user);
    await eventually(async () => (await shown(page)).length, 3);
    assert.ok((await scrollWidth()) <= 375, `signed in: ${await scrollWidth()} px wide`);
    const box = await page.locator('.new-todo').boundingBox();
    assert.ok(box, 'the new todo field is shown');
    assert.ok(box.x >= 0 && box.x + box.width <= 375 && box.y >= 0 && box.y + box.height <= 667, JSON.stringify(box));
    assert.equal(await page.locator('.new-todo').isVisible(), true);
    await watched.assertClean();
  });

  it('shows the list at 800×600 (the README’s screenshot with WEB_SCREENSHOT=<path>)', {
    timeout: TEST_MS,
  }, async (t) => {
    const user = 'olivia';
    await createTodos(user, [
      'Buy oat milk',
      { title: 'Walk the dog', completed: true },
      'Write the README',
      'Call the plumber',
    ]);
    const watched = await open(t, { viewport: { width: 800, height: 600 } });
    const { page } = watched;
    await page.goto(base);
    await page.locator('.welcome').waitFor();
    await signIn(watched, user);
    await eventually(async () => (await shown(page)).length, 4);
    assert.equal(await countText(page), '3 items left');
    const app = await page.locator('.todoapp').boundingBox();
    assert.ok(app, 'the list is shown');
    assert.ok(Math.abs(app.x - (800 - app.x - app.width)) <= 1, `centred: ${JSON.stringify(app)}`);
    assert.ok(app.y + app.height <= 600, `all of it in the window: ${JSON.stringify(app)}`);
    if (process.env.WEB_SCREENSHOT) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: process.env.WEB_SCREENSHOT, fullPage: false });
      t.diagnostic(`screenshot: ${process.env.WEB_SCREENSHOT}`);
    }
    await watched.assertClean();
  });
});
