/**
 * The web page at `GET /` (for browsers): TodoMVC's markup (tastejs/todomvc app-spec.md), filled in by the app's
 * script, which is named after its content and may be cached for a year, while this page is never kept stale.
 */
import type { HttpResponse } from '../http/responses.js';
import type { WebBundle } from './bundle.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageOptions {
  /** Origins the page may fetch from besides its own (the API's public URL, the issuer's token endpoint). */
  connectSources: string[];
}

export function webPage(bundle: Pick<WebBundle, 'script' | 'style'>, options: PageOptions): HttpResponse {
  // Relative URLs: the page works wherever the API is mounted (a custom domain's base path included).
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>todos</title>
<link rel="stylesheet" href="app/${escapeHtml(bundle.style)}">
<script type="module" src="app/${escapeHtml(bundle.script)}"></script>
</head>
<body>
<header class="account" aria-label="Account">
<span class="who"></span>
<button type="button" id="sign-in" hidden>Sign in</button>
<button type="button" id="sign-out" hidden>Sign out</button>
</header>
<div id="error" class="message error" role="alert"></div>
<div id="notice" class="message notice" role="status"></div>
<main>
<section class="welcome" hidden>
<h1>todos</h1>
<p>Sign in to see your list.</p>
<button type="button" id="welcome-sign-in">Sign in</button>
</section>
<section class="todoapp" hidden>
<header class="header">
<h1>todos</h1>
<input class="new-todo" placeholder="What needs to be done?" aria-label="New todo" autofocus>
</header>
<section class="main" hidden>
<input id="toggle-all" class="toggle-all" type="checkbox">
<label for="toggle-all">Mark all as complete</label>
<ul class="todo-list"></ul>
</section>
<footer class="footer" hidden>
<span class="todo-count"></span>
<ul class="filters">
<li><a href="#/" class="selected">All</a></li>
<li><a href="#/active">Active</a></li>
<li><a href="#/completed">Completed</a></li>
</ul>
<button type="button" class="clear-completed" hidden>Clear completed</button>
</footer>
</section>
</main>
<footer class="info">
<p>Double-click a todo (or press Enter on it) to edit it</p>
<p><a href="docs">API reference</a></p>
</footer>
</body>
</html>
`;
  const connect = ["'self'", ...options.connectSources].join(' ');
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // Always asked again: a deploy changes the names of the files it loads.
      'cache-control': 'no-cache',
      vary: 'Accept',
      // Nothing runs or loads but this origin's files; the page talks to this origin and the sign-in endpoints.
      'content-security-policy':
        `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; ` +
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}
