/**
 * What the browser tests share: Debian's Chromium driven by playwright-core, launched so that nothing can hang
 * `npm test`, and pages that record every console error, uncaught exception, failed request, error answer and
 * dialog, and hold every answer of the API to the OpenAPI document, so that a test can assert there were none
 * but those it expected.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Request,
} from 'playwright-core';
import { checkAnswer } from '../support/contract.js';

/** The longest any one step (a launch, a navigation, a wait) may take. */
export const DEADLINE_MS = 60_000;
/** How long a page is given to show what a test waits for: long enough for a loaded machine, short enough to fail. */
export const WAIT_MS = 15_000;

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or the one CHROMIUM_PATH names. */
function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium || true']).toString().trim();
  assert.ok(path, 'No Chromium: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
  return path;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    timeout: DEADLINE_MS,
    // This browser only ever opens the test's own local pages, so it runs without Chromium's sandbox, which
    // containers (as root, or without user namespaces) cannot give it; /dev/shm is often too small there too.
    // And none of Chromium's own traffic to Google's servers.
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One Chromium for the test file: launched before its tests, closed after them. The browser, once launched. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  before(
    async () => {
      browser = await launchChromium();
    },
    { timeout: DEADLINE_MS },
  );
  after(async () => {
    await browser?.close();
  });
  return () => {
    assert.ok(browser, 'Chromium is launched before the tests');
    return browser;
  };
}

/** A page under watch: what went wrong on it, and every request it sent to the system. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Everything that went wrong and was not yet expected: console errors, page errors, failed requests… */
  problems: string[];
  /** `METHOD /path?query` of every request to the system, in order. */
  requests: string[];
  /** Marks a request as answered by the test itself (page.route): its answer is not held to the document. */
  faked(request: Request): void;
  /** Takes the problems matching each pattern off the list; each pattern must match at least one. */
  expectProblems(...patterns: RegExp[]): void;
  /** Every answer checked against the document, and no problem left. */
  assertClean(): Promise<void>;
}

/**
 * A new browser context (its own storage and cache) and a page in it, watched. `base` is the system's URL: its
 * answers are held to the OpenAPI document, but for the local issuer's pages (/oauth2/, /.well-known/), which are
 * not the API's, and redirects, which have no body to check.
 */
export async function openWatchedPage(
  browser: Browser,
  base: string,
  options: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.setDefaultNavigationTimeout(WAIT_MS);
  const problems: string[] = [];
  const requests: string[] = [];
  const checks: Array<Promise<void>> = [];
  const fakes = new WeakSet<Request>();
  const origin = new URL(base).origin;

  // (Both the app's page and the local sign-in page name their icon, so no request for /favicon.ico is expected.)
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  // The page must never show a problem in a dialog box: it says it in words.
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === origin) requests.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  page.on('response', (response) => {
    const request = response.request();
    const url = new URL(response.url());
    const what = `${request.method()} ${url.pathname}`;
    if (response.status() >= 400) problems.push(`${response.status()}: ${what}`);
    if (url.origin !== origin || url.pathname.startsWith('/oauth2/') || fakes.has(request)) return;
    if (response.status() >= 300 && response.status() < 400 && response.status() !== 304) return;
    checks.push(
      (async () => {
        const raw = await response.allHeaders();
        // A list the browser revalidated (If-None-Match) shows as the cached 200, with the headers of the 304 the
        // server sent, which is what is checked.
        const revalidated =
          response.status() === 304 ||
          ((await request.allHeaders())['if-none-match'] !== undefined && raw['content-type'] === undefined);
        const status = revalidated ? 304 : response.status();
        const text = revalidated ? '' : await response.text();
        checkAnswer(request.method(), response.url(), { status, headers: new Headers(raw), text });
      })().catch((error: unknown) => {
        // A page that navigated away meanwhile no longer has the body: nothing to hold to the document.
        const message = error instanceof Error ? error.message : String(error);
        if (
          !/Target page, context or browser has been closed|navigated away|No resource with given identifier/.test(
            message,
          )
        ) {
          problems.push(`contract: ${message}`);
        }
      }),
    );
  });

  return {
    page,
    context,
    problems,
    requests,
    faked: (request) => fakes.add(request),
    expectProblems(...patterns) {
      for (const pattern of patterns) {
        const matching = problems.filter((problem) => pattern.test(problem));
        assert.ok(matching.length > 0, `expected a problem matching ${pattern}, got ${JSON.stringify(problems)}`);
        for (const problem of matching) problems.splice(problems.indexOf(problem), 1);
      }
    },
    async assertClean() {
      await Promise.all(checks);
      assert.deepEqual(problems, [], 'no console error, page error, failed request, error answer or dialog');
    },
  };
}

/**
 * Waits until `read` gives `expected` (deep equality), then returns; otherwise fails after WAIT_MS with what it
 * last gave. For what the page shows after an answer of the server, which the test does not see arrive.
 */
export async function eventually<T>(read: () => Promise<T>, expected: T, message?: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let actual = await read();
  while (!isDeepStrictEqual(actual, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}
