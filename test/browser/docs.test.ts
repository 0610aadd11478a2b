/**
 * The API reference in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core) opens
 * `/docs` of the local system, which must render every route of the document with no console error, and a person
 * who pastes a token from `npm run token` and tries `GET /todos` must see their todos.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../local/paths.js';
import { documentedRoutes } from '../../src/http/openapi.js';
import { call, createTodo, useLocalSystem } from '../e2e/support.js';
import { checkAnswer } from '../support/contract.js';
import { DEADLINE_MS, useChromium } from './support.js';

let base: string;
let token: string;
const browser = useChromium();

// The system keeps its issuer's key in a data directory, so that the token comes from `npm run token`, as a
// person reading the README would get it.
const dataDir = mkdtempSync(join(tmpdir(), 'todo-api-docs-'));
useLocalSystem(
  'oidc',
  async (system) => {
    base = system.url;
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'token', '--', 'docs-reader'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      timeout: DEADLINE_MS,
    });
    token = stdout.trim();
  },
  // DOCS_PORT: a fixed port, for the README's screenshot (DOCS_PORT=3000 DOCS_SCREENSHOT=docs/api-reference.png).
  { dataDir, port: Number(process.env.DOCS_PORT ?? 0) },
);
after(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * A page that records every console error, uncaught exception and failed request, and holds every answer the API
 * gives it to the OpenAPI document (`checked` settles once they all have been).
 */
async function openDocs(): Promise<{ page: Page; problems: string[]; checked: () => Promise<number> }> {
  const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(DEADLINE_MS);
  const problems: string[] = [];
  const checks: Array<Promise<void>> = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    if (!response.url().startsWith(base)) return;
    checks.push(
      (async () => {
        const text = response.status() === 304 ? '' : await response.text();
        const headers = new Headers(await response.allHeaders());
        checkAnswer(response.request().method(), response.url(), { status: response.status(), headers, text });
      })().catch((error: unknown) => {
        problems.push(`contract: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  });
  await page.goto(`${base}/docs`);
  await page.locator('.opblock').first().waitFor();
  const checked = async () => {
    await Promise.all(checks);
    return checks.length;
  };
  return { page, problems, checked };
}

describe('/docs in headless Chromium', { timeout: 4 * DEADLINE_MS }, () => {
  it('renders every route of the document, with no console error', async () => {
    const { page, problems, checked } = await openDocs();
    const rendered = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    assert.deepEqual(rendered.sort(), [...documentedRoutes()].sort());
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
    // The page, its three files and the document, each held to the document.
    assert.ok((await checked()) >= 5);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('tries GET /todos with a token pasted into Authorize, and shows your todos', async () => {
    const title = `seen through the docs ${Date.now()}`;
    await createTodo(base, { title }, '/todos', { authorization: `Bearer ${token}` });
    const { page, problems, checked } = await openDocs();

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
    await checked();
    assert.deepEqual(problems, []);
    await page.close();

    // The docs changed nothing.
    const reply = await call(base, 'GET', '/todos', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(reply.status, 200);
  });
});
