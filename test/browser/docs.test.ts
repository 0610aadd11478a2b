/**
 * The API reference in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core) opens
 * `/docs` of the local system, which must render every route of the document with no console error, and a person
 * who pastes a token from `npm run token` and tries `GET /todos` must see their todos.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { documentedRoutes } from '../../src/http/openapi.js';
import { call, createTodo, useLocalSystem } from '../e2e/support.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or the one CHROMIUM_PATH names. */
function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium || true']).toString().trim();
  assert.ok(path, 'No Chromium: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
  return path;
}

let base: string;
let token: string;
let browser: Browser;

useLocalSystem('oidc', async (system) => {
  base = system.url;
  token = await system.issueToken('docs-reader');
});

before(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    // No sandbox as root in a container; and none of Chromium's own traffic to Google's servers.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A page that records every console error, uncaught exception and failed request. */
async function openDocs(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(`${base}/docs`);
  await page.locator('.opblock').first().waitFor();
  return { page, problems };
}

describe('/docs in headless Chromium', () => {
  it('renders every route of the document, with no console error', async () => {
    const { page, problems } = await openDocs();
    const rendered = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    assert.deepEqual(rendered.sort(), [...documentedRoutes()].sort());
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('tries GET /todos with a token pasted into Authorize, and shows your todos', async () => {
    const title = `seen through the docs ${Date.now()}`;
    await createTodo(base, { title }, '/todos', { authorization: `Bearer ${token}` });
    const { page, problems } = await openDocs();

    await page.locator('.btn.authorize').first().click();
    await page.locator('.auth-container input').first().fill(token);
    await page.locator('.auth-btn-wrapper .btn.modal-btn.auth.authorize').click();
    await page.locator('.auth-btn-wrapper .btn-done').click();

    const list = page.locator('#operations-todos-listTodos');
    await list.locator('.opblock-summary').click();
    await list.locator('.btn.execute').click();
    const body = list.locator('.responses-wrapper .live-responses-table .response-col_description pre').first();
    await body.waitFor();
    assert.ok((await body.textContent())?.includes(title), 'the response shows the todo');
    const status = await list.locator('.live-responses-table tbody .response-col_status').first().textContent();
    assert.equal(status?.trim(), '200');
    assert.deepEqual(problems, []);
    await page.close();

    // The docs changed nothing.
    const reply = await call(base, 'GET', '/todos', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(reply.status, 200);
  });
});
