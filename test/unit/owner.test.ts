/**
 * `ownerOf`: the owner is the verified token's `sub` (cognito, oidc) or the one anonymous owner (none), and
 * nothing the client sends (body, query, headers) can choose it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ANONYMOUS_OWNER, AUTH_MODES, type AuthMode, ownerOf, tokenOwner } from '../../src/http/owner.js';
import { HttpError } from '../../src/http/problem.js';
import { type EventInput, httpEvent } from '../support/events.js';

const SUB = '3f0c2d9e-7b1a-4c55-9e0f-1a2b3c4d5e6f';
const ISS = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const INTRUDER = 'b7e1c0de-0000-4000-8000-000000000bad';
const TOKEN_MODES: AuthMode[] = ['cognito', 'oidc'];

/** An event with `authorizer` set on its request context as API Gateway sets it (or left out). */
function eventWith(authorizer: unknown, input: EventInput = { routeKey: 'GET /todos' }): APIGatewayProxyEventV2 {
  const event = httpEvent(input);
  if (authorizer !== undefined) Object.assign(event.requestContext, { authorizer });
  return event;
}

/** The JWT authorizer's context for these claims (from ISS unless they say otherwise). */
const jwt = (claims: Record<string, unknown>) => ({ jwt: { claims: { iss: ISS, ...claims }, scopes: null } });

/** Everything a client could send to name an owner, on every kind of route. */
const clientChosen: EventInput[] = [
  { routeKey: 'GET /todos', query: `owner=${INTRUDER}&sub=${INTRUDER}` },
  { routeKey: 'POST /todos', body: { title: 'x', owner: INTRUDER, sub: INTRUDER } },
  { routeKey: 'POST /', body: { todo: 'x', owner: INTRUDER } },
  {
    routeKey: 'PATCH /todos/{id}',
    pathParameters: { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    body: { owner: INTRUDER },
    headers: { 'x-owner': INTRUDER },
  },
  {
    routeKey: 'DELETE /todos',
    headers: {
      'x-owner': INTRUDER,
      sub: INTRUDER,
      owner: INTRUDER,
      'x-amzn-oidc-identity': INTRUDER,
      'x-user-id': INTRUDER,
      authorization: `Bearer ${INTRUDER}`,
    },
    query: `owner=${INTRUDER}`,
  },
];

function assertUnauthorized(fn: () => unknown, what: string): void {
  assert.throws(
    fn,
    (error: unknown) => {
      assert.ok(error instanceof HttpError, `${what}: an HttpError, got ${String(error)}`);
      assert.equal(error.status, 401, what);
      assert.equal(error.slug, 'unauthorized', what);
      return true;
    },
    what,
  );
}

describe('ownerOf', () => {
  it('knows exactly the modes cognito, oidc and none', () => {
    assert.deepEqual([...AUTH_MODES].sort(), ['cognito', 'none', 'oidc']);
  });

  it("mode none: always the anonymous owner, even when the request carries a token's claims", () => {
    assert.equal(ANONYMOUS_OWNER, 'anonymous');
    assert.equal(ownerOf(eventWith(undefined), 'none'), ANONYMOUS_OWNER);
    assert.equal(ownerOf(eventWith(jwt({ sub: SUB })), 'none'), ANONYMOUS_OWNER);
    for (const input of clientChosen) {
      assert.equal(ownerOf(eventWith(jwt({ sub: SUB }), input), 'none'), ANONYMOUS_OWNER, input.routeKey);
      assert.equal(ownerOf(eventWith(undefined, input), 'none'), ANONYMOUS_OWNER, input.routeKey);
    }
  });

  for (const mode of TOKEN_MODES) {
    describe(`mode ${mode}`, () => {
      it("the owner is the verified token's sub", () => {
        assert.equal(ownerOf(eventWith(jwt({ sub: SUB })), mode), tokenOwner(ISS, SUB));
        const other = 'a1b2c3d4-0000-4000-8000-000000000001';
        assert.equal(ownerOf(eventWith(jwt({ sub: other, 'cognito:username': 'bob' })), mode), tokenOwner(ISS, other));
      });

      it('only sub counts: not the user name, email, client_id or username claims', () => {
        const claims = { 'cognito:username': 'alice', username: 'alice', email: 'a@example.com', client_id: 'c' };
        assertUnauthorized(() => ownerOf(eventWith(jwt(claims)), mode), 'claims without sub');
        assert.equal(ownerOf(eventWith(jwt({ ...claims, sub: SUB })), mode), tokenOwner(ISS, SUB));
      });

      it('no authorizer, no jwt, no claims → 401', () => {
        assertUnauthorized(() => ownerOf(eventWith(undefined), mode), 'no authorizer');
        assertUnauthorized(() => ownerOf(eventWith({}), mode), 'an empty authorizer');
        assertUnauthorized(() => ownerOf(eventWith({ jwt: {} }), mode), 'jwt without claims');
        assertUnauthorized(() => ownerOf(eventWith({ jwt: { claims: {}, scopes: null } }), mode), 'empty claims');
        assertUnauthorized(() => ownerOf(eventWith({ jwt: null }), mode), 'jwt null');
        assertUnauthorized(() => ownerOf(eventWith(null), mode), 'authorizer null');
      });

      it('other authorizer kinds do not count (lambda, iam)', () => {
        assertUnauthorized(() => ownerOf(eventWith({ lambda: { sub: SUB } }), mode), 'lambda authorizer context');
        assertUnauthorized(() => ownerOf(eventWith({ iam: { userId: SUB } }), mode), 'iam authorizer context');
        assertUnauthorized(() => ownerOf(eventWith({ claims: { sub: SUB } }), mode), 'claims outside jwt');
      });

      it('the issuer is part of the owner: the same sub from two issuers is two owners', () => {
        const other = 'urn:another-issuer';
        assert.notEqual(
          ownerOf(eventWith(jwt({ sub: SUB })), mode),
          ownerOf(eventWith(jwt({ iss: other, sub: SUB })), mode),
        );
        assert.equal(ownerOf(eventWith(jwt({ iss: other, sub: SUB })), mode), tokenOwner(other, SUB));
        // A user whose sub is "anonymous" is not the public mode's owner.
        assert.notEqual(ownerOf(eventWith(jwt({ sub: ANONYMOUS_OWNER })), mode), ANONYMOUS_OWNER);
      });

      it('a missing, empty or non-string iss → 401', () => {
        for (const iss of [undefined, '', 42, null]) {
          assertUnauthorized(() => ownerOf(eventWith(jwt({ sub: SUB, iss })), mode), `iss ${JSON.stringify(iss)}`);
        }
      });

      it('an empty or non-string sub → 401', () => {
        for (const sub of ['', 42, true, null, ['a'], { id: SUB }]) {
          assertUnauthorized(() => ownerOf(eventWith(jwt({ sub })), mode), `sub ${JSON.stringify(sub)}`);
        }
      });

      it('body, query and headers never choose the owner', () => {
        for (const input of clientChosen) {
          const what = `${input.routeKey} ${JSON.stringify(input)}`;
          assert.equal(ownerOf(eventWith(jwt({ sub: SUB }), input), mode), tokenOwner(ISS, SUB), what);
          assertUnauthorized(() => ownerOf(eventWith(undefined, input), mode), `without a token: ${what}`);
        }
      });

      it('claims the client could add elsewhere in the event are ignored', () => {
        const event = eventWith(undefined, { routeKey: 'GET /todos', headers: { 'x-owner': INTRUDER } });
        // A top-level `authorizer` (not in requestContext), as a confused client or test might build it.
        Object.assign(event, { authorizer: jwt({ sub: INTRUDER }) });
        assertUnauthorized(() => ownerOf(event, mode), 'authorizer outside requestContext');
      });
    });
  }
});
