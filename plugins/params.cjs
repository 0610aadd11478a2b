'use strict';
/**
 * osls plugin: the stage parameters (`params` in serverless.yml, `--param="name=value"` on the command line), checked
 * before anything uses them, and the two that YAML cannot pass through as they are.
 *
 * The check runs when osls loads the plugin, before it resolves `${param:…}`: a wrong `auth` would otherwise fail
 * there with osls's own words ("Cannot resolve variable at functions.createTodo.events.0.httpApi.authorizer"), and
 * a wrong number or address would be found by CloudFormation in the middle of a deploy, or never. Instead osls stops
 * with one line naming the parameter and what it may be. A parameter serverless.yml does not declare in
 * `params.default` (a typo, usually) is refused too, on the command line as in `params.<stage>`. So is, with
 * auth=cognito, a stage whose name would make a sign-in domain Cognito refuses (UserPoolDomain in serverless.yml).
 *
 * Then, once variables are resolved:
 * - `provider.httpApi.cors.allowedOrigins` may hold comma-separated lists (the parameter `corsAllowedOrigins`): each
 *   becomes one origin per entry.
 * - `custom.reservedConcurrency` (the parameter `reservedConcurrency`), when not empty, becomes every function's
 *   `reservedConcurrency` (osls's schema wants a number there, and "none" has no number).
 */

const BOOLEAN = { values: ['true', 'false'] };

/** What each parameter may be; a declared parameter without a rule here takes any value. */
const RULES = {
  auth: { values: ['cognito', 'oidc', 'none'] },
  // The web page's address is publicBaseUrl + "/" (serverless.yml), and the functions refuse a query, a fragment or
  // credentials in it when they start: a trailing slash would make "//", the others a stack whose functions all fail.
  publicBaseUrl: {
    url: ['http:', 'https:'],
    bare: true,
    optional: true,
    what: "the API's public http(s) URL, without a trailing slash, query, fragment or credentials",
  },
  callbackUrls: { callbackUrls: true, optional: true },
  jwtIssuer: { url: ['https:'], optional: true, what: "the issuer's https URL (the tokens' iss)" },
  jwtAudience: { optional: true },
  adminOnlySignUp: BOOLEAN,
  requireIfMatch: BOOLEAN,
  tracing: BOOLEAN,
  logLevel: { values: ['DEBUG', 'INFO', 'WARN', 'ERROR'] },
  alarmEmail: { email: true, optional: true },
  corsAllowedOrigins: { origins: true },
  throttlingRateLimit: { number: [1, 10_000] },
  throttlingBurstLimit: { integer: [1, 5_000] },
  reservedConcurrency: { integer: [1, 1_000], optional: true },
  latencyP99Ms: { integer: [100, 30_000] },
  api5xxRatePercent: { number: [0.1, 100] },
};

// One origin as browsers send it: scheme, host, optional port; no path, no trailing slash.
const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
// Cognito's limit on an app client's callback (and logout) URLs.
const MAX_CALLBACK_URLS = 100;
// The hosts Cognito takes a plain-http callback URL for: this machine only.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The problem with `value` for parameter `name`, or undefined when it is fine. */
function problem(name, value) {
  const rule = RULES[name];
  if (!rule) return undefined;
  const shown = JSON.stringify(value);
  if (value === '' && rule.optional) return undefined;
  if (rule.values && !rule.values.includes(value)) {
    const list =
      rule.values.length === 2
        ? rule.values.join(' or ')
        : `${rule.values.slice(0, -1).join(', ')} or ${rule.values.at(-1)}`;
    return `Parameter "${name}" must be ${list}, not ${shown}.`;
  }
  if (rule.url && !(isUrl(value, rule.url) && (!rule.bare || isBareUrl(value)))) {
    return `Parameter "${name}" must be ${rule.what}, not ${shown}.`;
  }
  if (rule.callbackUrls) {
    // Split as serverless.yml's Fn::Split does: on commas alone, so a space would stay in the URL Cognito gets.
    const urls = value.split(',');
    if (urls.length > MAX_CALLBACK_URLS || !urls.every(isCallbackUrl)) {
      return `Parameter "${name}" must be empty or at most ${MAX_CALLBACK_URLS} absolute https URLs (http only for localhost) without fragment, separated by commas without spaces, such as https://todos.example.com/, not ${shown}.`;
    }
  }
  if (rule.email && !EMAIL.test(value)) return `Parameter "${name}" must be an e-mail address or empty, not ${shown}.`;
  if (rule.origins) {
    const origins = value.split(',').map((origin) => origin.trim());
    const ok = value === '*' || (origins.length > 0 && origins.every((origin) => ORIGIN.test(origin)));
    if (!ok) {
      return `Parameter "${name}" must be * or a comma-separated list of origins such as https://app.example.com (scheme, host and port only), not ${shown}.`;
    }
  }
  const range = rule.number ?? rule.integer;
  if (range) {
    const number = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    const whole = rule.integer ? 'a whole number' : 'a number';
    const empty = rule.optional ? 'empty or ' : '';
    if (!(number >= range[0] && number <= range[1]) || (rule.integer && !Number.isInteger(number))) {
      return `Parameter "${name}" must be ${empty}${whole} from ${range[0]} to ${range[1]}, not ${shown}.`;
    }
  }
  return undefined;
}

function isUrl(value, protocols) {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A URL to append paths to: no trailing slash, query, fragment, credentials or spaces. */
function isBareUrl(value) {
  const url = new URL(value);
  return !value.endsWith('/') && !/[?#\s]/.test(value) && url.username === '' && url.password === '';
}

/** Whether Cognito takes `value` as a callback URL: absolute https (http for this machine), no fragment. */
function isCallbackUrl(value) {
  if (/[#\s]/.test(value) || !isUrl(value, ['http:', 'https:'])) return false;
  const { protocol, hostname } = new URL(value);
  return protocol === 'https:' || LOOPBACK.has(hostname);
}

/**
 * The problem, if any, with the prefix of the Cognito hosted UI's domain that serverless.yml's UserPoolDomain makes:
 * `<service>-<stage>-<account id>` (keep the two in step). Cognito takes 1 to 63 lowercase letters, digits and
 * hyphens, neither first nor last, and no "aws", "amazon" or "cognito" in it; a 12-digit account id changes none of
 * that but the length.
 */
function cognitoDomainProblem(service, stage) {
  const prefix = `${service}-${stage}-<account id>`;
  const filled = `${service}-${stage}-${'0'.repeat(12)}`;
  const reserved = ['aws', 'amazon', 'cognito'].find((word) => filled.includes(word));
  let reason;
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(filled)) reason = 'may hold only lowercase letters, digits and hyphens';
  else if (filled.length > 63) reason = `is ${filled.length} characters long, over Cognito's 63`;
  else if (reserved) reason = `contains "${reserved}", which Cognito reserves`;
  if (!reason) return undefined;
  return `auth=cognito cannot make its sign-in domain: the prefix "${prefix}" (<service>-<stage>-<account id>) ${reason}; choose another stage name (--stage).`;
}

/** `--param` options as osls reads them: `name=value`, the value up to the end. */
function cliParams(option) {
  const params = new Map();
  for (const item of [option ?? []].flat()) {
    const match = /^(?<key>[^=]+)=(?<value>.+)$/.exec(String(item));
    // osls refuses a malformed --param itself, with its own message.
    if (match?.groups) params.set(match.groups.key, match.groups.value.trimEnd());
  }
  return params;
}

const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Every problem with the parameters of `stage`, in the order the checks find them: undeclared names first (from the
 * command line, then in `params.<stage>`), then values (command line over `params.<stage>` over `params.default`, as
 * osls takes them).
 */
function parameterProblems(declared, stage, cliOption, service) {
  const defaults = isPlainObject(declared?.default) ? declared.default : {};
  const staged = isPlainObject(declared?.[stage]) ? declared[stage] : {};
  const cli = cliParams(cliOption);
  const known = Object.keys(defaults);
  const problems = [];
  const unknown = (name, where) =>
    `Unknown parameter "${name}"${where}: serverless.yml declares ${known.join(', ')} (params.default).`;
  for (const name of cli.keys()) if (!(name in defaults)) problems.push(unknown(name, ''));
  for (const name of Object.keys(staged)) if (!(name in defaults)) problems.push(unknown(name, ` in params.${stage}`));

  const values = new Map();
  for (const name of known) {
    const value = cli.get(name) ?? staged[name] ?? defaults[name];
    // A value made of other variables (${ssm:…}) is only known later; osls resolves it.
    if (value !== undefined && value !== null && !text(value).includes('${')) values.set(name, text(value));
  }
  for (const [name, value] of values) {
    const found = problem(name, value);
    if (found) problems.push(found);
  }
  if (values.get('auth') === 'oidc') {
    const missing = ['jwtIssuer', 'jwtAudience'].filter((name) => values.get(name) === '');
    const why = { jwtIssuer: "the issuer's https URL", jwtAudience: 'the client id its tokens carry' };
    if (missing.length > 0) {
      problems.push(
        `auth=oidc needs the parameter${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}" (${why[name]})`).join(' and ')}: --param="${missing[0]}=...".`,
      );
    }
  }
  if (values.get('auth') === 'cognito') {
    const domain = typeof service === 'string' && !service.includes('${') && cognitoDomainProblem(service, stage);
    if (domain) problems.push(domain);
    // Without callbackUrls, Cognito sends people back to publicBaseUrl + "/", and it refuses plain http but for localhost.
    const base = values.get('publicBaseUrl');
    const plainHttp = base && !problem('publicBaseUrl', base) && isUrl(base, ['http:']);
    if (values.get('callbackUrls') === '' && plainHttp && !isCallbackUrl(`${base}/`)) {
      problems.push(
        `auth=cognito sends people back to the web page at publicBaseUrl + "/", and Cognito takes http only for localhost: use an https "publicBaseUrl", or set "callbackUrls".`,
      );
    }
  }
  return problems;
}

class StageParams {
  constructor(serverless, options) {
    this.serverless = serverless;
    if (!serverless.processedInput?.isHelpRequest) this.check(options ?? {});
    this.hooks = {
      initialize: () => this.apply(),
    };
  }

  check(options) {
    const configuration = this.serverless.configurationInput ?? {};
    // osls resolves the stage before it loads plugins: --stage, else provider.stage, else dev.
    const configured = configuration.provider?.stage;
    const stage = options.stage ?? (typeof configured === 'string' && !configured.includes('${') ? configured : 'dev');
    const problems = parameterProblems(configuration.params, stage, options.param, configuration.service);
    if (problems.length > 0) throw new this.serverless.classes.Error(problems.join(' '));
  }

  apply() {
    const service = this.serverless.service;
    const cors = service.provider?.httpApi?.cors;
    if (isPlainObject(cors) && Array.isArray(cors.allowedOrigins)) {
      cors.allowedOrigins = cors.allowedOrigins.flatMap((entry) =>
        String(entry)
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
      );
    }
    const reserved = service.custom?.reservedConcurrency;
    if (reserved !== undefined && reserved !== null && String(reserved) !== '') {
      for (const name of service.getAllFunctions()) {
        service.getFunction(name).reservedConcurrency = Number(reserved);
      }
    }
  }
}

module.exports = StageParams;
