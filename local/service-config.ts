/**
 * Reads serverless.yml the way osls would for the parts the local gateway
 * needs (routes, handlers, environment, CORS, tables), so that the file stays
 * the single source of truth. `osls print` does the same in ~2-6 s; this does
 * it in milliseconds, and a test checks that both agree on this project.
 */
import { readFileSync } from 'node:fs';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';
import { splitHandler } from '../plugins/handler-path.cjs';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface RouteModel {
  method: string; // upper case, or ANY
  path: string; // as declared, e.g. /todos/{id}
  routeKey: string; // "GET /todos/{id}"
  /** The name of the route's authorizer in provider.httpApi.authorizers, when it has one. */
  authorizer?: string;
}

/** A JWT authorizer as declared (issuer and audience may still be CloudFormation expressions). */
export interface AuthorizerModel {
  name: string;
  identitySource: string[];
  issuerUrl: Json;
  audience: Json[];
}

export interface FunctionModel {
  name: string;
  /** `src/handlers/create.handler`: module path without extension, then the export. */
  handler: string;
  /** The handler's module, relative to serverless.yml and without extension: `src/handlers/create`. */
  handlerModule: string;
  /** The handler's export name: `handler`. */
  handlerExport: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, Json>;
  routes: RouteModel[];
}

export interface CorsModel {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedResponseHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface TableModel {
  logicalId: string;
  /** The CloudFormation properties of the AWS::DynamoDB::Table, variables resolved. */
  properties: { [key: string]: Json };
}

export interface ServiceModel {
  service: string;
  stage: string;
  region: string;
  functions: FunctionModel[];
  cors?: CorsModel;
  authorizers: Map<string, AuthorizerModel>;
  tables: TableModel[];
  /** The whole configuration with variables resolved (intrinsic functions left as `{ Ref: … }` objects). */
  resolved: { [key: string]: Json };
}

// CloudFormation's short-form tags, read as their long forms like osls does.
const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
];
const intrinsicTags: Array<ScalarTag | CollectionTag> = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ...INTRINSICS.flatMap((name): Array<ScalarTag | CollectionTag> => {
    const key = `Fn::${name}`;
    // !GetAtt A.B is the short form of [A, B].
    const scalar =
      name === 'GetAtt'
        ? (value: string) => {
            // !GetAtt A.B.C is [A, "B.C"]: only the first dot separates the resource.
            const dot = value.indexOf('.');
            return { [key]: dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
          }
        : (value: string) => ({ [key]: value });
    return [
      { tag: `!${name}`, resolve: scalar },
      { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
      { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
    ];
  }),
];

export interface LoadOptions {
  stage: string;
  region?: string;
  env?: Record<string, string | undefined>;
  /** Parameters given on the command line (`--param="name=value"`): they win over the stage's and the defaults. */
  params?: Record<string, string>;
}

/** A service file as written: its YAML read (CloudFormation's short tags as their long forms), nothing resolved. */
export type ServiceDocument = { [key: string]: Json };

/**
 * Reads `serverless.yml` (or any service file). local/start.mjs also reads it with this, through a bundle of this
 * module, when it builds the server.
 * @public
 */
export function readServiceDocument(file: string): ServiceDocument {
  return parse(readFileSync(file, 'utf8'), { customTags: intrinsicTags }) as ServiceDocument;
}

/**
 * Loads and resolves `serverless.yml` for one stage; from `document` when it was read already (local/start.mjs keeps
 * it with its bundle, which is rebuilt when the file changes).
 */
export function loadServiceModel(
  file: string,
  options: LoadOptions,
  document: ServiceDocument = readServiceDocument(file),
): ServiceModel {
  const resolved = resolveVariables(document, { ...options, env: options.env ?? process.env });
  return toModel(resolved);
}

// ${source:address, fallback}; the innermost variable is resolved first, so nesting works.
// CloudFormation's own placeholders (${AWS::Region}, ${Name} in !Sub) have no `source:` and are left alone, as osls does.
const VARIABLE = /\$\{(\s*[A-Za-z]\w*:(?!:)[^${}]*)\}/;

interface ResolveContext {
  stage: string;
  region?: string;
  env: Record<string, string | undefined>;
  params?: Record<string, string>;
}

/** Resolves `${…}` variables (sources: self, sls, opt, env, param) throughout a configuration. */
export function resolveVariables(raw: { [key: string]: Json }, context: ResolveContext): { [key: string]: Json } {
  return walk(raw, { ...context, raw, resolving: new Set() }) as { [key: string]: Json };
}

/** One resolution under way: the configuration it reads `${self:…}` from, and the addresses being read. */
interface Resolution extends ResolveContext {
  raw: { [key: string]: Json };
  /** The `${self:…}` addresses whose values are being resolved, to catch a loop. */
  resolving: Set<string>;
}

function walk(node: Json, resolution: Resolution): Json {
  if (typeof node === 'string') return walkString(node, resolution);
  if (Array.isArray(node)) return node.map((item) => walk(item, resolution));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, resolution)]));
  }
  return node;
}

function walkString(text: string, resolution: Resolution): Json {
  let current = text;
  for (let match = VARIABLE.exec(current); match; match = VARIABLE.exec(current)) {
    const value = variable(match[1] ?? '', resolution);
    // A string that is one variable takes the variable's value and type.
    if (match[0] === current) return typeof value === 'string' ? walkString(value, resolution) : value;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    current = current.replace(match[0], () => text);
  }
  return current;
}

/** The value of `${body}`: its first source that has one, fallbacks included. */
function variable(body: string, resolution: Resolution): Json {
  // Split on commas outside quotes: `opt:stage, 'dev'` has the fallback 'dev'.
  for (const candidate of body.match(/(?:'[^']*'|"[^"]*"|[^,'"])+/g) ?? []) {
    const value = source(candidate.trim(), resolution);
    if (value !== undefined && value !== null) return value;
  }
  throw new Error(`serverless.yml: \${${body}} has no value and no fallback`);
}

/** One source of a variable (`env:X`, `self:a.b`…) or a literal fallback ('text', 30). */
function source(text: string, resolution: Resolution): Json | undefined {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return quoted[2] ?? '';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const [kind, ...rest] = text.split(':');
  const address = rest.join(':');
  switch (kind) {
    case 'self':
      return lookupSelf(address, resolution);
    case 'sls':
      if (address === 'stage') return resolution.stage;
      break;
    case 'opt':
      if (address === 'stage') return resolution.stage;
      if (address === 'region') return resolution.region;
      return undefined;
    case 'env':
      return resolution.env[address];
    case 'param':
      return stageParam(address, resolution);
  }
  throw new Error(`serverless.yml: the local gateway cannot resolve \${${text}}`);
}

function lookupSelf(address: string, resolution: Resolution): Json | undefined {
  if (resolution.resolving.has(address)) throw new Error(`serverless.yml: \${self:${address}} refers to itself`);
  resolution.resolving.add(address);
  let node: Json | undefined = resolution.raw;
  for (const part of address.split('.')) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[part] : undefined;
  }
  const value = node === undefined ? undefined : walk(node, resolution);
  resolution.resolving.delete(address);
  return value;
}

/** `${param:name}`: the command line's, else the stage's, else the default (osls's order). */
function stageParam(name: string, resolution: Resolution): Json | undefined {
  const params = resolution.raw.params as { [stage: string]: { [name: string]: Json } } | undefined;
  const value = resolution.params?.[name] ?? params?.[resolution.stage]?.[name] ?? params?.default?.[name];
  return value === undefined ? undefined : walk(value, resolution);
}

function toModel(config: { [key: string]: Json }): ServiceModel {
  const provider = asObject(config.provider, 'provider');
  const httpApi = provider.httpApi === undefined ? {} : asObject(provider.httpApi, 'provider.httpApi');
  const model: ServiceModel = {
    service: String(config.service),
    stage: String(provider.stage),
    region: String(provider.region ?? 'us-east-1'),
    functions: functionModels(config, provider),
    tables: tableModels(config),
    authorizers: authorizerModels(httpApi),
    resolved: config,
  };
  requireDeclaredAuthorizers(model);
  const cors = corsOf(httpApi);
  if (cors) model.cors = cors;
  return model;
}

function functionModels(config: { [key: string]: Json }, provider: { [key: string]: Json }): FunctionModel[] {
  const providerEnv = asObject(provider.environment ?? {}, 'provider.environment');
  return Object.entries(asObject(config.functions ?? {}, 'functions')).map(([name, value]) => {
    const fn = asObject(value, `functions.${name}`);
    const handler = String(fn.handler);
    const { module: handlerModule, exportName: handlerExport } = splitHandlerOf(name, handler);
    return {
      name,
      handler,
      handlerModule,
      handlerExport,
      timeoutSeconds: Number(fn.timeout ?? provider.timeout ?? 6),
      memorySize: Number(fn.memorySize ?? provider.memorySize ?? 1024),
      environment: { ...providerEnv, ...asObject(fn.environment ?? {}, `functions.${name}.environment`) },
      routes: ((fn.events ?? []) as Json[]).flatMap((event) => {
        const httpApi = asObject(event, `functions.${name}.events[]`).httpApi;
        return httpApi === undefined ? [] : [toRoute(httpApi, name)];
      }),
    };
  });
}

function splitHandlerOf(functionName: string, handler: string): ReturnType<typeof splitHandler> {
  try {
    return splitHandler(handler);
  } catch (error) {
    throw new Error(`serverless.yml: functions.${functionName}: ${(error as Error).message}`);
  }
}

function tableModels(config: { [key: string]: Json }): TableModel[] {
  const resources = asObject(asObject(config.resources ?? {}, 'resources').Resources ?? {}, 'Resources');
  return Object.entries(resources)
    .filter(([, resource]) => asObject(resource, 'resource').Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => ({
      logicalId,
      properties: asObject(asObject(resource, logicalId).Properties, `${logicalId}.Properties`),
    }));
}

function authorizerModels(httpApi: { [key: string]: Json }): Map<string, AuthorizerModel> {
  const authorizers = new Map<string, AuthorizerModel>();
  for (const [name, value] of Object.entries(asObject(httpApi.authorizers ?? {}, 'provider.httpApi.authorizers'))) {
    const authorizer = asObject(value, `provider.httpApi.authorizers.${name}`);
    if ((authorizer.type ?? 'jwt') !== 'jwt') {
      throw new Error(
        `serverless.yml: the local gateway supports JWT authorizers only (${name} is ${authorizer.type})`,
      );
    }
    const list = (v: Json | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    authorizers.set(name, {
      name: String(authorizer.name ?? name),
      identitySource: list(authorizer.identitySource).map(String),
      issuerUrl: authorizer.issuerUrl ?? null,
      audience: list(authorizer.audience),
    });
  }
  return authorizers;
}

function requireDeclaredAuthorizers(model: ServiceModel): void {
  for (const fn of model.functions) {
    for (const route of fn.routes) {
      if (route.authorizer && !model.authorizers.has(route.authorizer)) {
        throw new Error(`serverless.yml: ${route.routeKey} uses authorizer ${route.authorizer}, which is not declared`);
      }
    }
  }
}

function corsOf(httpApi: { [key: string]: Json }): CorsModel | undefined {
  if (httpApi.cors === true) return corsModel({});
  if (httpApi.cors) return corsModel(asObject(httpApi.cors, 'provider.httpApi.cors'));
  return undefined;
}

function toRoute(httpApi: Json, functionName: string): RouteModel {
  let method: string;
  let path: string;
  let authorizer: string | undefined;
  if (typeof httpApi === 'string') {
    if (httpApi === '*') return { method: 'ANY', path: '*', routeKey: '$default' };
    const [m = '', p = ''] = httpApi.trim().split(/\s+/);
    method = m;
    path = p;
  } else {
    const event = asObject(httpApi, `functions.${functionName}.httpApi`);
    method = String(event.method ?? '*');
    path = String(event.path ?? '*');
    // As osls reads it: a name, or { name }; an empty value means no authorizer.
    const declared = event.authorizer;
    const name =
      declared && typeof declared === 'object' && !Array.isArray(declared) ? declared.name : (declared ?? undefined);
    if (name) authorizer = String(name);
  }
  method = method === '*' ? 'ANY' : method.toUpperCase();
  const route: RouteModel = { method, path, routeKey: path === '*' ? '$default' : `${method} ${path}` };
  if (authorizer) route.authorizer = authorizer;
  return route;
}

// osls's defaults for `cors: true`, applied field by field.
function corsModel(cors: { [key: string]: Json }): CorsModel {
  const strings = (value: Json | undefined, fallback: string[]) =>
    Array.isArray(value) ? value.map(String) : fallback;
  const model: CorsModel = {
    // An entry may be a comma-separated list (the stage parameter corsAllowedOrigins), which plugins/params.cjs
    // splits for osls: split here the same way.
    allowedOrigins: strings(cors.allowedOrigins, ['*']).flatMap((origin) =>
      origin
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
    allowedMethods: strings(cors.allowedMethods, ['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    allowedHeaders: strings(cors.allowedHeaders, [
      'Content-Type',
      'X-Amz-Date',
      'Authorization',
      'X-Api-Key',
      'X-Amz-Security-Token',
      'X-Amz-User-Agent',
      'X-Amzn-Trace-Id',
    ]),
    exposedResponseHeaders: strings(cors.exposedResponseHeaders, []),
    allowCredentials: cors.allowCredentials === true,
  };
  if (typeof cors.maxAge === 'number') model.maxAge = cors.maxAge;
  return model;
}

function asObject(value: Json | undefined, where: string): { [key: string]: Json } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`serverless.yml: ${where} must be a mapping`);
  }
  return value;
}
