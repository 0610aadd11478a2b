/** Route selection as API Gateway's HTTP API does it, for the routes declared in serverless.yml. */

export interface RouteTarget<T> {
  method: string; // upper case or ANY
  path: string; // /todos/{id}, /files/{proxy+}, or * for $default
  routeKey: string;
  /** The authorizer that must accept a request before `target` sees it. */
  authorizer?: string;
  target: T;
}

export interface RouteMatch<T> {
  route: RouteTarget<T>;
  pathParameters: Record<string, string>;
}

type Segment = { literal: string } | { param: string; greedy: boolean };

interface Compiled<T> {
  route: RouteTarget<T>;
  segments: Segment[];
}

function compile(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((part) => {
      const param = /^\{([^{}+]+)(\+)?\}$/.exec(part);
      return param ? { param: param[1] ?? '', greedy: param[2] === '+' } : { literal: part };
    });
}

// Higher is more specific: literal segments beat variables, variables beat a greedy tail.
function specificity(segments: Segment[]): number[] {
  return segments.map((s) => ('literal' in s ? 3 : s.greedy ? 1 : 2));
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The path parameters when `parts` (a path split at its slashes) fit `segments`. */
function matchPath(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
    } else if (segment.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('') === '') return undefined;
      params[segment.param] = decode(rest.join('/'));
      return params;
    } else {
      const part = parts[i];
      if (part === undefined || part === '') return undefined;
      params[segment.param] = decode(part);
    }
  }
  return segments.length === parts.length ? params : undefined;
}

export interface Router<T> {
  /** The route for a request, or undefined for API Gateway's 404. */
  match(method: string, rawPath: string): RouteMatch<T> | undefined;
}

export function createRouter<T>(routes: Array<RouteTarget<T>>): Router<T> {
  const compiled: Array<Compiled<T>> = routes
    .filter((r) => r.routeKey !== '$default')
    .map((route) => ({ route, segments: compile(route.path) }))
    // Most specific first; for the same path a named method beats ANY.
    .sort(
      (a, b) =>
        compare(specificity(a.segments), specificity(b.segments)) ||
        Number(a.route.method === 'ANY') - Number(b.route.method === 'ANY'),
    );
  const fallback = routes.find((r) => r.routeKey === '$default');

  return {
    match(method: string, rawPath: string): RouteMatch<T> | undefined {
      const parts = rawPath.split('/').slice(1);
      for (const { route, segments } of compiled) {
        if (route.method !== 'ANY' && route.method !== method) continue;
        const pathParameters = matchPath(segments, parts);
        if (pathParameters) return { route, pathParameters };
      }
      return fallback ? { route: fallback, pathParameters: {} } : undefined;
    },
  };
}
