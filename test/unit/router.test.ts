import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRouter, type RouteTarget } from '../../local/router.js';

const route = (routeKey: string): RouteTarget<string> => {
  if (routeKey === '$default') return { method: 'ANY', path: '*', routeKey, target: routeKey };
  const [method = '', path = ''] = routeKey.split(' ');
  return { method, path, routeKey, target: routeKey };
};

// The project's routes (serverless.yml), plus a few to exercise the rules.
const PROJECT = ['POST /todos', 'POST /', 'GET /todos', 'DELETE /todos', 'GET /todos/{id}', 'PATCH /todos/{id}'];

function matched(routes: string[], method: string, path: string) {
  const match = createRouter(routes.map(route)).match(method, path);
  return match && { routeKey: match.route.target, pathParameters: match.pathParameters };
}

describe('createRouter', () => {
  test("matches the project's routes", () => {
    assert.deepEqual(matched(PROJECT, 'POST', '/todos'), { routeKey: 'POST /todos', pathParameters: {} });
    assert.deepEqual(matched(PROJECT, 'POST', '/'), { routeKey: 'POST /', pathParameters: {} });
    assert.deepEqual(matched(PROJECT, 'GET', '/todos'), { routeKey: 'GET /todos', pathParameters: {} });
    assert.deepEqual(matched(PROJECT, 'PATCH', '/todos/01ABC'), {
      routeKey: 'PATCH /todos/{id}',
      pathParameters: { id: '01ABC' },
    });
  });

  test('a method mismatch is no match (404), not another route', () => {
    assert.equal(matched(PROJECT, 'PUT', '/todos'), undefined);
    assert.equal(matched(PROJECT, 'DELETE', '/todos/01ABC'), undefined);
    assert.equal(matched(PROJECT, 'GET', '/'), undefined);
  });

  test('unknown paths do not match', () => {
    for (const path of ['/todo', '/todos/a/b', '/Todos', '/other', '//todos', '/todos/']) {
      assert.equal(matched(PROJECT, 'GET', path), undefined, path);
    }
  });

  test('a trailing slash does not match /todos, nor an empty {id}', () => {
    assert.equal(matched(PROJECT, 'GET', '/todos/'), undefined);
    assert.equal(matched(PROJECT, 'POST', '/todos/'), undefined);
    assert.equal(matched(PROJECT, 'PATCH', '/todos/'), undefined);
  });

  test('a literal segment beats a variable, in whatever order the routes are declared', () => {
    for (const routes of [
      ['GET /todos/{id}', 'GET /todos/special'],
      ['GET /todos/special', 'GET /todos/{id}'],
    ]) {
      assert.equal(matched(routes, 'GET', '/todos/special')?.routeKey, 'GET /todos/special');
      assert.deepEqual(matched(routes, 'GET', '/todos/other'), {
        routeKey: 'GET /todos/{id}',
        pathParameters: { id: 'other' },
      });
    }
  });

  test('a variable beats a greedy tail, and a named method beats ANY', () => {
    const routes = ['ANY /todos/{proxy+}', 'GET /todos/{id}', 'ANY /todos/{id}'];
    assert.equal(matched(routes, 'GET', '/todos/a')?.routeKey, 'GET /todos/{id}');
    assert.equal(matched(routes, 'POST', '/todos/a')?.routeKey, 'ANY /todos/{id}');
    assert.deepEqual(matched(routes, 'GET', '/todos/a/b'), {
      routeKey: 'ANY /todos/{proxy+}',
      pathParameters: { proxy: 'a/b' },
    });
  });

  test('{proxy+} is greedy and needs at least one segment', () => {
    const routes = ['GET /files/{proxy+}'];
    assert.deepEqual(matched(routes, 'GET', '/files/a/b/c.txt'), {
      routeKey: 'GET /files/{proxy+}',
      pathParameters: { proxy: 'a/b/c.txt' },
    });
    assert.deepEqual(matched(routes, 'GET', '/files/x')?.pathParameters, { proxy: 'x' });
    assert.equal(matched(routes, 'GET', '/files'), undefined);
    assert.equal(matched(routes, 'GET', '/files/'), undefined);
    assert.equal(matched(routes, 'GET', '/other/a'), undefined);
  });

  test('a root greedy route catches everything else', () => {
    const routes = [...PROJECT, 'ANY /{proxy+}'];
    assert.equal(matched(routes, 'GET', '/todos')?.routeKey, 'GET /todos');
    assert.deepEqual(matched(routes, 'PUT', '/todos'), {
      routeKey: 'ANY /{proxy+}',
      pathParameters: { proxy: 'todos' },
    });
  });

  test('$default catches what no route matches, with no path parameters', () => {
    const routes = [...PROJECT, '$default'];
    assert.deepEqual(matched(routes, 'PUT', '/todos'), { routeKey: '$default', pathParameters: {} });
    assert.deepEqual(matched(routes, 'GET', '/nothing/here'), { routeKey: '$default', pathParameters: {} });
    assert.equal(matched(routes, 'GET', '/todos/a')?.routeKey, 'GET /todos/{id}');
    // $default declared first still comes last.
    assert.equal(matched(['$default', ...PROJECT], 'GET', '/todos')?.routeKey, 'GET /todos');
  });

  test('path parameters are percent-decoded', () => {
    assert.deepEqual(matched(PROJECT, 'GET', '/todos/a%20b')?.pathParameters, { id: 'a b' });
    assert.deepEqual(matched(PROJECT, 'GET', '/todos/%C3%BC%F0%9F%98%80')?.pathParameters, { id: 'ü😀' });
    assert.deepEqual(matched(PROJECT, 'GET', '/todos/a%2Fb')?.pathParameters, { id: 'a/b' });
    assert.deepEqual(matched(['GET /files/{proxy+}'], 'GET', '/files/a%20b/c')?.pathParameters, { proxy: 'a b/c' });
    // A malformed escape is passed on as it is rather than failing the request.
    assert.deepEqual(matched(PROJECT, 'GET', '/todos/%E0%A4%A')?.pathParameters, { id: '%E0%A4%A' });
  });
});
