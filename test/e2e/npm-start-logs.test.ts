/**
 * What `npm start` tells whoever runs it: a line per request (and why a 401 was refused), JSON lines as on AWS with
 * LOG_FORMAT=json, its options as flags, and --help.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cli, exitWithin, interrupt, listeningUrl, NPM_START, processes } from './cli.js';
import { call } from './support.js';

const START_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;
const TITLE = 'a title that must never be logged';

const { freshDataDir, start, run } = processes('todo-api-logs-');

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  return start(process.execPath, [...NPM_START, ...args], env);
}

/** A token of the local issuer whose key is under `dataDir`. */
async function tokenFor(dataDir: string, user: string): Promise<string> {
  const result = await run(
    process.execPath,
    ['--import', 'tsx', 'local/token.ts', user],
    { DATA_DIR: dataDir },
    30_000,
  );
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

/** Waits until the CLI has printed a line matching `pattern` (the line is printed after the answer is sent). */
async function printed(cli: Cli, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = cli
      .stdout()
      .split('\n')
      .find((text) => pattern.test(text));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no line matching ${pattern} in:\n${cli.stdout()}`);
}

describe('npm start: its request log', () => {
  it('flags work like the variables; one line per request; a 401 says why; the token hint names DATA_DIR', async () => {
    const dataDir = await freshDataDir();
    const otherDataDir = await freshDataDir();
    const cli = startCli(['--port', '0', '--dynamodb-port', '0', '--data-dir', dataDir, '--auth-mode', 'oidc']);
    const url = await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
    assert.ok(cli.stdout().includes(`$(DATA_DIR=${dataDir} npm run -s token -- alice)`), cli.stdout());
    const token = await tokenFor(dataDir, 'alice');
    const foreign = await tokenFor(otherDataDir, 'alice');

    assert.equal((await call(url, 'GET', '/todos')).status, 401);
    assert.match(
      await printed(cli, / 401 /),
      /^\d\d:\d\d:\d\d\.\d{3} GET \/todos 401 \d+ ms: no token \(send Authorization: Bearer <token>\)/,
    );
    const other = await call(url, 'GET', '/todos', { headers: { authorization: `Bearer ${foreign}` } });
    assert.equal(other.status, 401);
    assert.match(await printed(cli, /key this issuer does not have/), /a token of another DATA_DIR/);
    const created = await call(url, 'POST', '/todos?x=1', {
      json: { title: TITLE },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(created.status, 400, 'an unknown query parameter is refused');
    assert.match(await printed(cli, / 400 /), /^\S+ POST \/todos 400 \d+ ms$/);

    const output = cli.stdout() + cli.stderr();
    for (const secret of [token, foreign, TITLE])
      assert.equal(output.includes(secret), false, 'nothing sent is logged');
    await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
  });

  it("LOG_FORMAT=json: the access log and the functions' JSON lines, as on AWS, with no token or title", async () => {
    const dataDir = await freshDataDir();
    const cli = startCli([], { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, LOG_FORMAT: 'json' });
    const url = await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
    const token = await tokenFor(dataDir, 'bob');
    const created = await call(url, 'POST', '/todos', {
      json: { title: TITLE },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(created.status, 201);
    await printed(cli, /"httpMethod":"POST"/);
    await printed(cli, /"message":"Request"/);
    const lines = cli
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.find((line) => line.httpMethod === 'POST');
    assert.ok(access);
    assert.deepEqual(
      Object.keys(access).sort(),
      [
        'httpMethod',
        'integrationLatency',
        'ip',
        'protocol',
        'requestId',
        'requestTime',
        'responseLatency',
        'responseLength',
        'routeKey',
        'status',
      ].sort(),
    );
    assert.equal(access.routeKey, 'POST /todos');
    assert.equal(access.status, 201);
    const request = lines.find((line) => line.message === 'Request');
    assert.ok(request);
    assert.equal(request.level, 'INFO');
    assert.equal(request.route, 'POST /todos');
    assert.equal(request.status, 201);
    assert.equal(request.requestId, access.requestId, 'the two lines of one request share its id');
    assert.deepEqual(request.counts, { TodosCreated: 1 });
    // The metrics, in CloudWatch's embedded metric format.
    assert.ok(
      lines.some((line) => '_aws' in line && line.TodosCreated === 1),
      'an EMF line',
    );
    for (const secret of [token, TITLE]) assert.equal(cli.stdout().includes(secret), false);
    await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
  });

  it('--help lists the options and starts nothing; an unknown option is refused in one line', async () => {
    const help = startCli(['--help']);
    const exit = await exitWithin(help, START_DEADLINE_MS, 'npm start --help did not exit');
    assert.deepEqual(exit, { code: 0, signal: null });
    for (const flag of ['--port', '--data-dir', '--auth-mode', '--log-format', 'PORT', 'LOG_FORMAT']) {
      assert.ok(help.stdout().includes(flag), `--help names ${flag}`);
    }
    assert.doesNotMatch(help.stdout(), /listening/);

    const wrong = startCli(['--prot', '3100']);
    const refused = await exitWithin(wrong, START_DEADLINE_MS, 'npm start --prot did not exit');
    assert.equal(refused.code, 1);
    assert.equal(wrong.stderr(), 'Unknown option or argument --prot: npm start -- --help lists the options\n');
  });
});
