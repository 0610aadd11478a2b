/**
 * A proxy between the functions and dynalite that misbehaves on demand, as a real network and a real DynamoDB can:
 * it drops answers (after the store applied the request), delays or never sends them, throttles, fails with 500s,
 * answers garbage, or resets the connection. Each fault applies to the requests of the operations it names (all
 * by default), for a number of requests or until cleared; everything else passes through untouched.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Forwarded and applied by the store; its answer never reaches the caller (the connection is dropped). */
  | { kind: 'drop' }
  /** Forwarded; the answer is held back for `ms`. */
  | { kind: 'delay'; ms: number }
  /** Never forwarded, never answered: the connection stays open and silent. */
  | { kind: 'hang' }
  /** Not forwarded: DynamoDB's 400 ThrottlingException. */
  | { kind: 'throttle' }
  /** Not forwarded: DynamoDB's 500 InternalServerError. */
  | { kind: 'error500' }
  /** Not forwarded: a 200 whose body is not JSON. */
  | { kind: 'garbage' }
  /** Not forwarded: DynamoDB's 400 ResourceNotFoundException (the table is missing). */
  | { kind: 'missingTable' }
  /** Not forwarded: the connection is reset as soon as the request has arrived. */
  | { kind: 'reset' };

/**
 * Picks one of `among` for a share `rate` of the requests, at random, and lets the others pass. The random sequence
 * is fixed by `seed`: a run's faults are the same in every run, so that a failure can be replayed.
 */
export interface Chaos {
  kind: 'chaos';
  rate: number;
  among: Array<Exclude<Fault, { kind: 'hang' | 'delay' }>['kind']>;
  seed: number;
}

export interface FaultRule {
  fault: Fault | Chaos;
  /** DynamoDB operations it applies to (`PutItem`, `Query`…); all when absent. */
  operations?: string[];
  /** How many matching requests pass untouched before it applies. */
  after?: number;
  /** How many matching requests it applies to; every one when absent. */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Replaces the rules (the first matching rule with requests left applies). */
  set(...rules: FaultRule[]): void;
  /** Everything passes from now on. */
  clear(): void;
  /** Requests seen per operation since the last `set` or `clear`, and which fault each got (`pass` for none). */
  seen: Array<{ operation: string; fault: Fault['kind'] | 'pass' }>;
  close(): Promise<void>;
}

/** Numbers in [0, 1), the same sequence for the same seed (mulberry32: small, and good enough to pick faults). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault of each request a rule applies to: its fault every time, or chaos's pick from its seeded sequence. */
function faultsOf(fault: Fault | Chaos): () => Fault | undefined {
  if (fault.kind !== 'chaos') return () => fault;
  const { rate, among } = fault;
  const random = seededRandom(fault.seed);
  return () => {
    if (random() >= rate) return undefined;
    const kind = among[Math.floor(random() * among.length)];
    return kind ? ({ kind } as Fault) : undefined;
  };
}

const dynamoError = (type: string, message: string) =>
  JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: Array<FaultRule & { skip: number; left: number; next: () => Fault | undefined }> = [];
  const seen: FaultProxy['seen'] = [];

  function forward(
    req: IncomingMessage,
    body: Buffer,
    answer: (status: number, headers: object, data: Buffer) => void,
  ) {
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => answer(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
      },
    );
    out.on('error', () => req.socket.destroy());
    out.end(body);
  }

  function reply(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(text);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
      const rule = rules.find((r) => r.left > 0 && (!r.operations || r.operations.includes(operation)));
      let fault: Fault | undefined;
      if (rule && rule.skip > 0) rule.skip--;
      else if (rule) {
        rule.left--;
        fault = rule.next();
      }
      seen.push({ operation, fault: fault?.kind ?? 'pass' });
      const pass = (status: number, headers: object, data: Buffer) => {
        if (!res.destroyed) res.writeHead(status, headers as Record<string, string>).end(data);
      };
      switch (fault?.kind) {
        case undefined:
          return forward(req, body, pass);
        case 'drop':
          return forward(req, body, () => req.socket.destroy());
        case 'delay':
          return forward(req, body, (status, headers, data) =>
            setTimeout(() => pass(status, headers, data), fault.ms).unref(),
          );
        case 'hang':
          return;
        case 'throttle':
          return reply(
            res,
            400,
            dynamoError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.'),
          );
        case 'error500':
          return reply(res, 500, dynamoError('InternalServerError', 'Internal server error'));
        case 'garbage':
          return reply(res, 200, '<html>\u0000\u00ff not DynamoDB</html>');
        case 'missingTable':
          return reply(res, 400, dynamoError('ResourceNotFoundException', 'Requested resource not found'));
        case 'reset':
          return req.socket.resetAndDestroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(...next) {
      rules = next.map((rule) => ({
        ...rule,
        skip: rule.after ?? 0,
        left: rule.times ?? Number.POSITIVE_INFINITY,
        next: faultsOf(rule.fault),
      }));
      seen.length = 0;
    },
    clear() {
      rules = [];
      seen.length = 0;
    },
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
