/**
 * `npm start`: the API at http://localhost:3000 over dynalite, which keeps its data on disk. Every option is an
 * environment variable and a flag (`npm start -- --port 3100`; the flag wins); `npm start -- --help` lists them.
 *
 * Run by local/start.mjs from a prebuilt bundle (what `npm start` runs), or from source by local/main.ts.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { batchedLines, jsonLine, LOG_FORMATS, type LogFormat, textLine } from './access-log.js';
import { PROJECT_ROOT } from './paths.js';
import {
  DataDirInUseError,
  DynamoDbNotAnsweringError,
  ListenError,
  type LocalAuthMode,
  type LocalOptions,
  type LocalSystem,
  startLocal,
} from './server.js';

type Env = Record<string, string | undefined>;

/** Each option: its flag, the variable it stands for, and what it does (the text of --help). */
const OPTIONS = [
  ['port', 'PORT', 'port of the API (default 3000; 0 picks a free one)'],
  ['host', 'HOST', 'interface the API listens on (default 127.0.0.1)'],
  ['data-dir', 'DATA_DIR', "the embedded store's data and the local issuer's key (default .data)"],
  ['dynamodb-port', 'DYNAMODB_PORT', "port of the embedded store's DynamoDB endpoint (default 8000)"],
  ['dynamodb-endpoint', 'DYNAMODB_ENDPOINT', 'use this DynamoDB endpoint instead of the embedded store'],
  ['dynamodb-wait-seconds', 'DYNAMODB_WAIT_SECONDS', 'how long to wait for DYNAMODB_ENDPOINT at start (default 60)'],
  ['auth-mode', 'AUTH_MODE', 'oidc (tokens of the local issuer; the default) or none (one anonymous owner)'],
  ['require-if-match', 'REQUIRE_IF_MATCH', 'true: writes to a todo without If-Match are refused with 428'],
  ['log-format', 'LOG_FORMAT', 'text (a line per request; the default) or json (the JSON lines of AWS)'],
] as const;

const HELP = [
  'usage: npm start [-- --option value ...]',
  '',
  'Runs the TODO API locally: the functions of serverless.yml behind a stand-in for API Gateway, over an embedded',
  'DynamoDB. Each option is a flag or an environment variable (the flag wins):',
  '',
  ...OPTIONS.map(([flag, variable, text]) => `  --${flag.padEnd(22)} ${variable.padEnd(22)} ${text}`),
  '  --help, -h',
  '',
  'LOG_LEVEL (DEBUG, INFO, WARN, ERROR) sets what the functions log (WARN with LOG_FORMAT=text, INFO with json).',
  'A token for curl: npm run -s token -- <user name>',
].join('\n');

/**
 * The environment with the command line's flags applied over it; undefined when --help was asked for. A flag that
 * is not an option, or a stray argument, is a mistake worth stopping for.
 */
function withFlags(args: string[], env: Env): Env | undefined {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: {
        ...Object.fromEntries(OPTIONS.map(([flag]) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const what = /'([^']+)'/.exec(message ?? '')?.[1] ?? args.join(' ');
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = what.split(' ')[0] ?? what;
      throw new Error(`${flag} needs a value (write ${flag}=<value> for one that starts with -)`);
    }
    throw new Error(`Unknown option or argument ${what}: npm start -- --help lists the options`);
  }
  if (parsed.values.help) return undefined;
  const flagged: Env = {};
  for (const [flag, variable] of OPTIONS) {
    const value = parsed.values[flag];
    if (typeof value === 'string') flagged[variable] = value;
  }
  return { ...env, ...flagged };
}

/** LOG_LEVEL, if set: one of the functions' levels (src/telemetry.ts). */
function checkLogLevel(env: Env): void {
  const value = env.LOG_LEVEL ?? '';
  if (value !== '' && !['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(value.toUpperCase())) {
    throw new Error(`LOG_LEVEL must be DEBUG, INFO, WARN, ERROR or SILENT, got ${JSON.stringify(value)}`);
  }
}

/** LOG_FORMAT: text (the default) or json. */
function logFormat(env: Env): LogFormat {
  const value = env.LOG_FORMAT || 'text';
  if (!LOG_FORMATS.includes(value as LogFormat)) {
    throw new Error(`LOG_FORMAT must be ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return value as LogFormat;
}

/** How to get a token of this server's issuer, as a developer would type it. */
function tokenCommand(dataDir: string, user = 'alice'): string {
  const defaultDir = resolve(PROJECT_ROOT, '.data');
  const env = dataDir === defaultDir ? '' : `DATA_DIR=${JSON.stringify(dataDir).slice(1, -1)} `;
  return `${env}npm run -s token -- ${user}`;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** AUTH_MODE, named and valued like serverless.yml's `auth` parameter; each refusal is one line that says what to do. */
function authMode(env: Env): LocalAuthMode {
  // Only the old values: AUTH is a common name, and any other value of it is not ours.
  if (env.AUTH === 'jwt' || env.AUTH === 'none') {
    throw new Error(
      `AUTH was renamed to AUTH_MODE (oidc|none): AUTH=jwt is now AUTH_MODE=oidc (the default), AUTH=none is AUTH_MODE=none; unset AUTH`,
    );
  }
  const mode = env.AUTH_MODE || 'oidc';
  if (mode === 'cognito') {
    throw new Error(
      'AUTH_MODE=cognito needs AWS: there is no Cognito locally, and the local issuer stands in for it as AUTH_MODE=oidc (the default); or use AUTH_MODE=none',
    );
  }
  if (mode !== 'oidc' && mode !== 'none') {
    throw new Error(
      `AUTH_MODE must be oidc (tokens of the local issuer, the default) or none (one anonymous owner), got ${JSON.stringify(mode)}`,
    );
  }
  return mode;
}

/** REQUIRE_IF_MATCH, as serverless.yml's `requireIfMatch` parameter: true or false (the default). */
function requireIfMatch(env: Env): boolean {
  const value = env.REQUIRE_IF_MATCH ?? '';
  if (value !== '' && value !== 'true' && value !== 'false') {
    throw new Error(`REQUIRE_IF_MATCH must be true or false, got ${JSON.stringify(value)}`);
  }
  return value === 'true';
}

/** DYNAMODB_WAIT_SECONDS: how long to wait at start for DYNAMODB_ENDPOINT to answer (default 60). */
function dynamodbWaitMs(env: Env): number {
  const raw = env.DYNAMODB_WAIT_SECONDS ?? '';
  if (raw === '') return 60_000;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value >= 0 && value <= 3600)) {
    throw new Error(`DYNAMODB_WAIT_SECONDS must be a number of seconds (0-3600), got ${JSON.stringify(raw)}`);
  }
  return value * 1000;
}

/** The access log's lines, written a batch at a time (the last ones as the process exits). */
const accessLog = batchedLines((text) => process.stdout.write(text));
process.on('exit', () => accessLog.flush());

/** A line on stdout, after the access log's lines that wait. */
function say(line: string): void {
  accessLog.flush();
  console.log(line);
}

/** The whole configuration of `npm start`, read from the environment once, before anything starts. */
function settings(env: Env): LocalOptions & { dataDir: string } {
  const dynamodbEndpoint = env.DYNAMODB_ENDPOINT || undefined;
  const format = logFormat(env);
  checkLogLevel(env);
  const dataDir = resolve(PROJECT_ROOT, env.DATA_DIR || '.data');
  const token = tokenCommand(dataDir, '<user>');
  return {
    functionLogs: format === 'json' ? 'all' : 'quiet',
    onRequest: (entry) => accessLog.add(format === 'json' ? jsonLine(entry) : textLine(entry, token)),
    authMode: authMode(env),
    requireIfMatch: requireIfMatch(env),
    port: port(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    dynamodbPort: port(env, 'DYNAMODB_PORT', 8000),
    dataDir,
    ...(dynamodbEndpoint ? { dynamodbEndpoint, dynamodbWaitMs: dynamodbWaitMs(env) } : {}),
    progress: (line) => say(line),
  };
}

/**
 * What a developer needs to know once it runs: where, with what data, which routes, and how to get in; and how long
 * it took to be ready, from the start of this process.
 */
function banner(system: LocalSystem, options: LocalOptions & { dataDir: string }, readyMs: number): string {
  const routes = system.model.functions.flatMap((fn) =>
    fn.routes.map((r) => `  ${r.routeKey.padEnd(20)} → ${fn.name}`),
  );
  const store = options.dynamodbEndpoint ? ' (external)' : ` (embedded, data in ${options.dataDir})`;
  return [
    `TODO API listening on ${system.url} (ready in ${Math.round(readyMs)} ms)`,
    `DynamoDB endpoint ${system.dynamodbEndpoint}${store}`,
    'Routes (from serverless.yml):',
    ...routes,
    options.authMode === 'oidc'
      ? `Web app: open ${system.url}/ in a browser, and sign in with any user name on the local sign-in page.`
      : `Web app: open ${system.url}/ in a browser (no sign-in).`,
    options.authMode === 'oidc'
      ? 'Auth: oidc, a Bearer token of the local issuer is required (AUTH_MODE=none turns it off). Get one for any user name:\n' +
        `  curl -H "Authorization: Bearer $(${tokenCommand(options.dataDir)})" ${system.url}/todos`
      : 'Auth: none (AUTH_MODE=none): every request belongs to one anonymous owner.',
    options.requireIfMatch
      ? 'Writes to a todo must send If-Match (REQUIRE_IF_MATCH=true): without it they are refused with 428.'
      : 'If-Match is honoured on writes, not required (REQUIRE_IF_MATCH=true requires it).',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** Ctrl-C (or SIGTERM): finish the requests under way, close the store, exit. */
function stopOnSignals(system: LocalSystem): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: finishing requests and closing the store...`);
    system.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * A failure to start as one line that names the setting to change: the errors a developer can fix themselves get
 * their own words; anything else is reported by its message alone (no stack: it is not ours to debug here).
 */
function explain(error: unknown): string {
  if (error instanceof ListenError) {
    const setting = error.server === 'api' ? 'PORT' : 'DYNAMODB_PORT';
    const why =
      error.code === 'EADDRINUSE'
        ? `is taken by another process on ${error.host}`
        : error.code === 'EACCES'
          ? 'is not open to this user (ports below 1024 need privileges)'
          : `cannot be used on ${error.host} (${error.code})`;
    const store = error.server === 'dynamodb' ? ' (the embedded DynamoDB)' : '';
    return `${setting}=${error.port}${store} ${why}: stop what uses it, or choose another with ${setting}=<port> (0 picks a free one)`;
  }
  if (error instanceof DataDirInUseError) {
    return `DATA_DIR ${error.dataDir} is in use by another npm start (process ${error.pid}): stop that one, or give this one its own DATA_DIR=<dir> (if no npm start runs there, delete ${error.dataDir}/.lock)`;
  }
  if (error instanceof DynamoDbNotAnsweringError) {
    return `DYNAMODB_ENDPOINT ${error.endpoint} did not answer in ${error.waitedMs / 1000} s (${error.reason}): start it, wait longer with DYNAMODB_WAIT_SECONDS=<s>, or unset DYNAMODB_ENDPOINT to use the embedded store`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What a prebuilt server brings along (local/start.mjs): see LocalOptions. */
export type Prebuilt = Pick<LocalOptions, 'storeThread' | 'handlerModules' | 'serviceDocument'>;

/** The embedded store's thread ended under the running API: say so, and stop (nothing would work any more). */
function storeGone(why: string): void {
  console.error(`${why}: stopping (the requests under way fail); start again with npm start`);
  process.exit(1);
}

async function run(prebuilt: Prebuilt): Promise<void> {
  const env = withFlags(process.argv.slice(2), process.env);
  if (!env) {
    await prebuilt.storeThread?.terminate();
    console.log(HELP);
    return;
  }
  const options = { ...settings(env), ...prebuilt, onStoreGone: storeGone };
  const system = await startLocal(options);
  const readyMs = performance.now();
  // Before the banner: whoever reads it may press Ctrl-C at once, and must get a clean stop.
  stopOnSignals(system);
  say(banner(system, options, readyMs));
}

/** `npm start`, with its command line and environment: runs until Ctrl-C, or says in one line why it cannot. */
export async function main(prebuilt: Prebuilt = {}): Promise<void> {
  try {
    await run(prebuilt);
  } catch (error) {
    console.error(explain(error));
    process.exit(1);
  }
}
