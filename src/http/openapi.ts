/**
 * The API's OpenAPI 3.1 document, generated: every schema comes from the zod schemas the functions validate and
 * answer with (src/todos/schema.ts, src/http/contract.ts), through zod's own JSON Schema output. What is written
 * here is what zod cannot know: each route's purpose, parameters, headers and the statuses it can answer, which
 * the tests hold to serverless.yml's routes and to every answer the end-to-end tests receive.
 */
import * as z from 'zod/mini';
import { IDEMPOTENCY_TTL_SECONDS } from '../todos/idempotency.js';
import { newTodoSchema, todoPatchSchema, tutorialNewTodoSchema } from '../todos/schema.js';
import { MAX_PAGE_SIZE } from '../todos/service.js';
import {
  API_VERSION,
  apiIndexSchema,
  gatewayMessageSchema,
  healthSchema,
  problemSchema,
  SIGN_IN_RETURN_PARAMETERS,
  todoViewSchema,
  webConfigSchema,
} from './contract.js';
import type { AuthMode } from './owner.js';
import { MAX_BODY_BYTES } from './request.js';

type Json = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, with descriptions for its properties. */
function jsonSchema(schema: z.core.$ZodType, io: 'input' | 'output', descriptions: Record<string, string> = {}): Json {
  const { $schema: _, ...body } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  const properties = body.properties as Record<string, Json> | undefined;
  for (const [name, description] of Object.entries(descriptions)) {
    const property = properties?.[name];
    if (property) property.description = description;
  }
  if (io === 'input') {
    // A title is trimmed before its length is checked, which JSON Schema cannot say: as sent, it needs one
    // character that is not white space, and may be longer than the limit by the white space around it.
    for (const name of ['title', 'todo']) {
      const property = properties?.[name];
      if (!property) continue;
      delete property.minLength;
      delete property.maxLength;
      property.pattern = '\\S';
    }
  }
  return body;
}

const TITLE = 'What is to be done: 1 to 1000 characters of Unicode text after trimming (it is trimmed).';
const COMPLETED = 'Whether it is done.';
const ORDER = 'A position of your choosing (any integer), to sort by; null or absent for none (null clears it).';
const ORDER_OUT = 'A position of your choosing (any integer), to sort by; absent when it has none.';

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: Json, example?: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

const EXAMPLE_TODO = {
  id: '01KB0N6ZQ3Y1V9W7F8H2J4M5P6',
  title: 'Buy milk',
  completed: false,
  order: 1,
  url: 'https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6',
  createdAt: '2026-11-27T13:24:25.655Z',
  updatedAt: '2026-11-27T13:24:25.655Z',
  etag: '"01KB0N6ZQ3Y1V9W7F8H2J4M5P6"',
};

function components(authMode: AuthMode): Json {
  const problem = (example: Json) => ({
    'application/problem+json': { schema: ref('schemas', 'Problem'), example },
  });
  const gateway = (message: string) => ({
    'application/json': { schema: ref('schemas', 'GatewayMessage'), example: { message } },
  });
  const example = (type: string, title: string, status: number, detail: string) => ({
    type: `urn:todo-api:problem:${type}`,
    title,
    status,
    detail,
    requestId: 'sV0vFhh2bJaX7g==',
  });
  return {
    schemas: {
      Todo: jsonSchema(todoViewSchema, 'output', {
        id: "The todo's id, a ULID: it sorts in creation order.",
        title: TITLE,
        completed: COMPLETED,
        order: ORDER_OUT,
        url: "The todo's absolute URL (GET, PATCH or DELETE it).",
        createdAt: 'When it was created (ISO 8601, UTC).',
        updatedAt: 'When it was last changed (ISO 8601, UTC).',
        etag:
          "The todo's current entity tag, the value of the ETag header of GET /todos/{id}: send it as If-Match to " +
          'change or delete the todo only if nobody changed it since (no need to read each todo of a list first).',
      }),
      NewTodo: jsonSchema(newTodoSchema, 'input', { title: TITLE, completed: COMPLETED, order: ORDER }),
      TutorialNewTodo: jsonSchema(tutorialNewTodoSchema, 'input', {
        todo: `The tutorial's name for title. ${TITLE}`,
        completed: COMPLETED,
        order: ORDER,
      }),
      TodoPatch: {
        ...jsonSchema(todoPatchSchema, 'input', { title: TITLE, completed: COMPLETED, order: ORDER }),
        minProperties: 1,
      },
      Problem: jsonSchema(problemSchema, 'output', {
        type: 'What kind of problem: a URN of this API, e.g. urn:todo-api:problem:validation.',
        title: 'A short summary of the kind of problem.',
        status: 'The HTTP status.',
        detail: 'What went wrong with this request (for a 5xx, only that it was the server, with the request id).',
        errors: 'For an invalid body: one entry per field that is wrong.',
        requestId: 'The request id, as in the apigw-requestid header; quote it when reporting a problem.',
      }),
      GatewayMessage: jsonSchema(gatewayMessageSchema, 'output', {
        message: 'A message from API Gateway itself, which answered without running a function.',
      }),
      Health: jsonSchema(healthSchema, 'output', {
        status: 'ok when the function runs (and the store answers, where it is asked); unavailable otherwise.',
        version: 'The version of the API.',
        store:
          'Whether the store answers; only where the health check may reach it (npm start), not on AWS, where ' +
          'the health function has no access to the table.',
      }),
      ApiIndex: jsonSchema(apiIndexSchema, 'output', {
        name: 'The name of the API.',
        docs: 'The interactive API reference.',
        openapi: 'This OpenAPI document.',
        todos: 'Your todos.',
      }),
      WebConfig: {
        ...jsonSchema(webConfigSchema, 'output'),
        description:
          'How the web page signs in. auth none: it does not. Otherwise OpenID Connect authorization code with ' +
          'PKCE, as the public client clientId of issuer, at the endpoints given (Cognito: the hosted UI of the ' +
          "stack's user pool) or at those the discovery document names (a path is relative to the page).",
      },
    },
    parameters: {
      TodoId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The id of one of your todos.',
        schema: { type: 'string', examples: [EXAMPLE_TODO.id] },
      },
      Limit: {
        name: 'limit',
        in: 'query',
        description: `Todos per page: 1 to ${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE}).`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE },
      },
      Completed: {
        name: 'completed',
        in: 'query',
        description: 'Only the completed todos (true), or only the open ones (false); all when absent.',
        schema: { type: 'boolean' },
      },
      Cursor: {
        name: 'cursor',
        in: 'query',
        description: 'Where the page starts: take it from the Link header of the page before, never build it.',
        schema: { type: 'string' },
      },
      IfMatch: {
        name: 'If-Match',
        in: 'header',
        description:
          'The ETag(s) of the todo as you last read it: the write applies only if it is still that version (412 ' +
          'otherwise). Required when the API is deployed with requireIfMatch=true (428 without it).',
        schema: { type: 'string', examples: ['"mZ3xQ8bT1kLw"'] },
      },
      IfNoneMatchWrite: {
        name: 'If-None-Match',
        in: 'header',
        description: 'The write applies only if the todo is none of these versions (* : never).',
        schema: { type: 'string' },
      },
      IfMatchRead: {
        name: 'If-Match',
        in: 'header',
        description: 'Answer only if the current version is one of these (412 otherwise).',
        schema: { type: 'string' },
      },
      IfNoneMatch: {
        name: 'If-None-Match',
        in: 'header',
        description: 'The ETag you have: 304 with no body while it is still current.',
        schema: { type: 'string', examples: ['"mZ3xQ8bT1kLw"'] },
      },
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          `A key of your choosing (1 to 255 printable ASCII characters, such as a UUID) that makes the create safe ` +
          `to retry: for ${IDEMPOTENCY_TTL_SECONDS / 3600} hours, the same key with the same body answers with ` +
          'the same todo, and creates nothing more.',
        schema: { type: 'string', minLength: 1, maxLength: 255, examples: ['8e03978e-40d5-43e8-bc93-6894a57f9324'] },
      },
    },
    headers: {
      ETag: {
        description:
          'The version of what is returned (a todo, or this exact page); send it in If-Match or If-None-Match.',
        required: true,
        schema: { type: 'string' },
      },
      Location: { description: "The new todo's URL.", required: true, schema: { type: 'string', format: 'uri' } },
      Link: {
        description:
          'The next page, as <url>; rel="next" (RFC 8288); absent on the last page. Follow it until it is absent: ' +
          'with ?completed=, a page may hold fewer todos than the limit, or none, and still have a next page.',
        schema: { type: 'string' },
      },
      IdempotentReplayed: {
        description: 'true when this is the answer to an earlier request with the same Idempotency-Key.',
        schema: { type: 'string', enum: ['true'] },
      },
      RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
      CacheControl: { description: 'How the answer may be cached.', schema: { type: 'string' } },
    },
    responses: {
      BadRequest: {
        description: 'The request is malformed (body, query parameters, cursor or preconditions): nothing changed.',
        content: problem({
          ...example('validation', 'Invalid request body', 400, 'The request body has invalid fields.'),
          errors: [{ field: 'title', message: 'must not be blank' }],
        }),
      },
      ...(authMode === 'none'
        ? {}
        : {
            Unauthorized: {
              description: 'No token, or one that the authorizer refused; answered by API Gateway before any function.',
              headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
              content: gateway('Unauthorized'),
            },
          }),
      NotFound: {
        description: "No such todo of yours (another user's todo is a 404 too).",
        content: problem(example('not-found', 'Not Found', 404, `No todo with id "${EXAMPLE_TODO.id}".`)),
      },
      PreconditionFailed: {
        description: 'If-Match or If-None-Match does not hold: nothing changed. ETag is the current version.',
        headers: { ETag: ref('headers', 'ETag') },
        content: problem(
          example(
            'precondition-failed',
            'Precondition Failed',
            412,
            'The todo has changed since the version you named.',
          ),
        ),
      },
      PreconditionRequired: {
        description: 'This deployment requires If-Match naming the version you read (requireIfMatch=true).',
        content: problem(
          example('precondition-required', 'Precondition Required', 428, 'This API requires If-Match on writes.'),
        ),
      },
      PayloadTooLarge: {
        description:
          `The body is over ${MAX_BODY_BYTES / 1024} KiB (a problem from the function), or over API Gateway's ` +
          '10 MB (its own message).',
        content: {
          ...problem(example('payload-too-large', 'Payload Too Large', 413, 'The body may be at most 16384 bytes.')),
          ...gateway('Request Entity Too Large'),
        },
      },
      GatewayPayloadTooLarge: {
        description: "The request is over API Gateway's 10 MB (this route reads no body; answered by API Gateway).",
        content: gateway('Request Entity Too Large'),
      },
      TooManyRequests: {
        description:
          "Over the API's rate or burst limit (API Gateway's throttling, before any function runs): retry later, " +
          'with backoff.',
        content: gateway('Too Many Requests'),
      },
      UnsupportedMediaType: {
        description: 'The body is not sent as JSON (Content-Type: application/json).',
        content: problem(example('unsupported-media-type', 'Unsupported Media Type', 415, 'Send the body as JSON.')),
      },
      ServiceUnavailable: {
        description:
          'The store is briefly unavailable (throttled, failing or not answering) after the retries the function ' +
          'makes itself, within about 3 s: send the request again after Retry-After seconds (every request is ' +
          "safe to send again). Or API Gateway's own message when the API is overloaded.",
        headers: { 'Retry-After': ref('headers', 'RetryAfter') },
        content: {
          ...problem(
            example(
              'unavailable',
              'Service Unavailable',
              503,
              'The service is briefly unavailable: retry after 2 s. Quote the request id if it persists.',
            ),
          ),
          ...gateway('Service Unavailable'),
        },
      },
      GatewayServiceUnavailable: {
        description: "API Gateway's own message when the API is overloaded: retry after Retry-After, if sent.",
        headers: { 'Retry-After': ref('headers', 'RetryAfter') },
        content: gateway('Service Unavailable'),
      },
      InternalServerError: {
        description:
          'A fault of the server: a problem with only the request id (details are in the log), or API ' +
          "Gateway's own message when the function failed outright.",
        content: {
          ...problem(example('internal', 'Internal Server Error', 500, 'The server failed to handle the request.')),
          ...gateway('Internal Server Error'),
        },
      },
    },
    ...(authMode === 'none'
      ? {}
      : {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description:
                authMode === 'cognito'
                  ? "An ID or access token of the stack's Cognito user pool."
                  : 'A token of the configured OpenID Connect issuer (locally: `npm run token -- <user>`).',
            },
          },
        }),
  };
}

/** The statuses every function route can answer, beyond its own. */
function common(authMode: AuthMode, ...names: string[]): Json {
  const responses: Json = {};
  for (const name of names) {
    const [status, component] = name.split(':');
    if (status === '401' && authMode === 'none') continue;
    responses[status ?? ''] = ref('responses', component ?? '');
  }
  return responses;
}

// What every route can answer; a route that reads a body can also answer a 413 of its own (WITH_BODY).
const ALWAYS = [
  '400:BadRequest',
  '401:Unauthorized',
  '413:GatewayPayloadTooLarge',
  '429:TooManyRequests',
  '500:InternalServerError',
  '503:ServiceUnavailable',
];
const WITH_BODY = [...ALWAYS.filter((name) => !name.startsWith('413')), '413:PayloadTooLarge'];
// The public routes touch no store: only the gateway's 503 is theirs.
const PUBLIC = [
  ...ALWAYS.filter((name) => !name.startsWith('401') && !name.startsWith('503')),
  '503:GatewayServiceUnavailable',
];

/** What a public route says of its security: none (serverless.yml gives it no authorizer). */
const PUBLIC_ROUTE = { security: [] };

/** A public file named after its content (the docs' viewer, the web page's script and stylesheet). */
function contentNamedFile(operationId: string, summary: string, moreContent: Json): Json {
  return {
    operationId,
    summary,
    tags: ['about'],
    ...PUBLIC_ROUTE,
    parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': {
        description: 'The file; its name changes with its content, so it may be cached for a year.',
        headers: { 'Cache-Control': ref('headers', 'CacheControl') },
        content: {
          'text/javascript': { schema: { type: 'string' } },
          'text/css': { schema: { type: 'string' } },
          ...moreContent,
        },
      },
      '404': {
        description: 'No such file.',
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      },
      ...common('none', ...PUBLIC),
    },
  };
}

/** The operation of each route, by route key ("METHOD /path", as serverless.yml declares them). */
function operations(authMode: AuthMode): Record<string, Json> {
  // In auth=none every route is public, which the document says explicitly (security: []).
  const secured = authMode === 'none' ? { security: [] } : { security: [{ bearerAuth: [] }] };
  const todoAnswer = (description: string, extra: Json = {}) => ({
    description,
    headers: { ETag: ref('headers', 'ETag'), ...extra },
    content: json(ref('schemas', 'Todo'), EXAMPLE_TODO),
  });
  const create = (operationId: string, summary: string, body: Json) => ({
    operationId,
    summary,
    tags: ['todos'],
    ...secured,
    parameters: [ref('parameters', 'IdempotencyKey')],
    requestBody: { required: true, content: body },
    responses: {
      '201': todoAnswer('Created (or, with an Idempotency-Key used before, the todo it created).', {
        Location: ref('headers', 'Location'),
        'Idempotent-Replayed': ref('headers', 'IdempotentReplayed'),
      }),
      ...common(authMode, ...WITH_BODY, '415:UnsupportedMediaType'),
      '409': {
        description: 'A request with this Idempotency-Key is still being processed: retry after Retry-After.',
        headers: { 'Retry-After': ref('headers', 'RetryAfter') },
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      },
      '422': {
        description: 'This Idempotency-Key was used with a different body.',
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      },
    },
  });
  const read = (description: string, schema: Json, example: unknown, extra: Json = {}) => ({
    '200': {
      description,
      headers: { ETag: ref('headers', 'ETag'), 'Cache-Control': ref('headers', 'CacheControl'), ...extra },
      content: json(schema, example),
    },
    '304': {
      description: 'Not modified: the If-None-Match names the current version (no body).',
      headers: { ETag: ref('headers', 'ETag'), 'Cache-Control': ref('headers', 'CacheControl'), ...extra },
    },
  });
  const conditional = ['404:NotFound', '412:PreconditionFailed', '428:PreconditionRequired'];
  return {
    'POST /todos': create(
      'createTodo',
      'Create a todo',
      json(ref('schemas', 'NewTodo'), { title: 'Buy milk', order: 1 }),
    ),
    'POST /': create(
      'createTodoTutorial',
      'Create a todo (the tutorial\'s route; also takes {"todo": "text"})',
      json({ anyOf: [ref('schemas', 'NewTodo'), ref('schemas', 'TutorialNewTodo')] }, { todo: 'Walk the dog' }),
    ),
    'GET /todos': {
      operationId: 'listTodos',
      summary: 'List your todos, oldest first, one page at a time',
      tags: ['todos'],
      ...secured,
      parameters: [
        ref('parameters', 'Limit'),
        ref('parameters', 'Completed'),
        ref('parameters', 'Cursor'),
        ref('parameters', 'IfNoneMatch'),
        ref('parameters', 'IfMatchRead'),
      ],
      responses: {
        ...read('One page of your todos.', { type: 'array', items: ref('schemas', 'Todo') }, [EXAMPLE_TODO], {
          Link: ref('headers', 'Link'),
        }),
        ...common(authMode, ...ALWAYS, '412:PreconditionFailed'),
      },
    },
    'DELETE /todos': {
      operationId: 'deleteAllTodos',
      summary: 'Delete all of your todos',
      tags: ['todos'],
      ...secured,
      responses: { '204': { description: 'Deleted, all of them.' }, ...common(authMode, ...ALWAYS) },
    },
    'GET /todos/{id}': {
      operationId: 'getTodo',
      summary: 'One of your todos',
      tags: ['todos'],
      ...secured,
      parameters: [ref('parameters', 'TodoId'), ref('parameters', 'IfNoneMatch'), ref('parameters', 'IfMatchRead')],
      responses: {
        ...read('The todo.', ref('schemas', 'Todo'), EXAMPLE_TODO),
        ...common(authMode, ...ALWAYS, '404:NotFound', '412:PreconditionFailed'),
      },
    },
    'PATCH /todos/{id}': {
      operationId: 'updateTodo',
      summary: 'Change some fields of one of your todos',
      tags: ['todos'],
      ...secured,
      parameters: [ref('parameters', 'TodoId'), ref('parameters', 'IfMatch'), ref('parameters', 'IfNoneMatchWrite')],
      requestBody: { required: true, content: json(ref('schemas', 'TodoPatch'), { completed: true }) },
      responses: {
        '200': todoAnswer('The todo as changed.'),
        ...common(authMode, ...WITH_BODY, ...conditional, '415:UnsupportedMediaType'),
      },
    },
    'DELETE /todos/{id}': {
      operationId: 'deleteTodo',
      summary: 'Delete one of your todos',
      tags: ['todos'],
      ...secured,
      parameters: [ref('parameters', 'TodoId'), ref('parameters', 'IfMatch'), ref('parameters', 'IfNoneMatchWrite')],
      responses: { '204': { description: 'Deleted.' }, ...common(authMode, ...ALWAYS, ...conditional) },
    },
    'GET /': {
      operationId: 'apiIndex',
      summary: 'Where to go from here (JSON); for browsers, the web app (a TodoMVC page)',
      tags: ['about'],
      ...PUBLIC_ROUTE,
      // What the sign-in page sends a person back to the web page with (the page reads them; the API ignores them).
      parameters: SIGN_IN_RETURN_PARAMETERS.map((name) => ({
        name,
        in: 'query',
        required: false,
        description: `The sign-in's answer to the web page (OAuth 2.0 authorization response): ${name}.`,
        schema: { type: 'string' },
      })),
      responses: {
        '200': {
          description: 'Links to the docs, this document and your todos; or, to a browser, the web page.',
          content: {
            ...json(ref('schemas', 'ApiIndex')),
            'text/html': { schema: { type: 'string' } },
          },
        },
        ...common('none', ...PUBLIC),
      },
    },
    'GET /config.json': {
      operationId: 'webConfig',
      summary: 'How the web page signs in (public: it holds no secret)',
      tags: ['about'],
      ...PUBLIC_ROUTE,
      responses: {
        '200': {
          description: 'The sign-in settings of this deployment.',
          headers: { 'Cache-Control': ref('headers', 'CacheControl') },
          content: json(ref('schemas', 'WebConfig'), {
            auth: 'cognito',
            issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI',
            clientId: '1example23456789',
            endpoints: {
              authorization: 'https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/oauth2/authorize',
              token: 'https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token',
              logout: 'https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/logout',
            },
          }),
        },
        ...common('none', ...PUBLIC),
      },
    },
    'GET /app/{asset}': contentNamedFile(
      'webAsset',
      "A file of the web page (its script or stylesheet, with their licences' notices)",
      {},
    ),
    'GET /health': {
      operationId: 'health',
      summary: 'Whether the API is up (for load balancers and uptime checks)',
      tags: ['about'],
      ...PUBLIC_ROUTE,
      responses: {
        '200': {
          description: 'Up.',
          headers: { 'Cache-Control': ref('headers', 'CacheControl') },
          content: json(ref('schemas', 'Health'), { status: 'ok', version: API_VERSION }),
        },
        ...common('none', ...PUBLIC.filter((name) => !name.startsWith('503'))),
        '503': {
          description:
            'The store does not answer (where it is checked), or API Gateway could not run the function ' +
            '({"message":"Service Unavailable"}).',
          headers: { 'Retry-After': ref('headers', 'RetryAfter') },
          content: {
            'application/json': {
              schema: { oneOf: [ref('schemas', 'Health'), ref('schemas', 'GatewayMessage')] },
            },
          },
        },
      },
    },
    'GET /openapi.json': {
      operationId: 'openApiDocument',
      summary: 'This OpenAPI document, with your server URL',
      tags: ['about'],
      ...PUBLIC_ROUTE,
      responses: {
        '200': {
          description: 'The OpenAPI 3.1 document.',
          headers: { 'Cache-Control': ref('headers', 'CacheControl') },
          content: json({ type: 'object' }),
        },
        ...common('none', ...PUBLIC),
      },
    },
    'GET /docs': {
      operationId: 'docsPage',
      summary: 'The interactive API reference (a web page)',
      tags: ['about'],
      ...PUBLIC_ROUTE,
      responses: {
        '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
        ...common('none', ...PUBLIC),
      },
    },
    'GET /docs/{asset}': contentNamedFile(
      'docsAsset',
      "A file of the reference page (its viewer's scripts, styles and licences)",
      { 'text/plain': { schema: { type: 'string' }, example: 'The licence texts of the viewer.' } },
    ),
  };
}

/** The route keys the document describes (a test holds them to serverless.yml's). */
export function documentedRoutes(): string[] {
  return Object.keys(operations('none'));
}

/** The query parameters the document gives a route (a test holds them to what its handler takes). */
export function documentedQueryParameters(routeKey: string): string[] {
  const parameters = (operations('none')[routeKey]?.parameters ?? []) as Array<{ $ref?: string; in?: string }>;
  const all = components('none').parameters as Record<string, { name: string; in: string }>;
  return parameters
    .map((parameter) => (parameter.$ref ? all[parameter.$ref.split('/').at(-1) ?? ''] : parameter))
    .filter((parameter) => parameter?.in === 'query')
    .map((parameter) => (parameter as { name: string }).name);
}

export interface OpenApiOptions {
  /** The URL the API is reached at (the caller's own, when served). */
  serverUrl: string;
  /** The deployment's auth mode: `none` documents no security. */
  authMode: AuthMode;
}

/** The OpenAPI 3.1 document of this API. */
export function openApiDocument({ serverUrl, authMode }: OpenApiOptions): Json {
  const paths: Record<string, Json> = {};
  for (const [routeKey, operation] of Object.entries(operations(authMode))) {
    const [method = '', path = ''] = routeKey.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TODO API',
      version: API_VERSION,
      summary: 'Your todos, behind API Gateway, on AWS Lambda and DynamoDB.',
      description:
        "Every todo is its owner's (the verified token's subject). Errors are application/problem+json " +
        '(RFC 9457) with a request id. Every answer with a todo has an ETag: send it in If-Match to change the ' +
        'todo only if nobody else has (412 otherwise), or in If-None-Match to poll (304 while unchanged). Send an ' +
        'Idempotency-Key to make a create safe to retry. A path or method not listed here is answered by API ' +
        'Gateway itself with 404 {"message":"Not Found"}.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'todos', description: 'Your todos.' },
      { name: 'about', description: 'This API: its index, its health, this document and its reference page.' },
    ],
    paths,
    components: components(authMode),
  };
}
