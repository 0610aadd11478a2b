// A cold start as Lambda does it: a fresh process loads the packaged handler and serves one request.
// argv: <bundle file URL>. Environment: what Lambda and serverless.yml set (table, region, credentials, endpoint).
const { handler } = await import(process.argv[2]);
const response = await handler({
  version: '2.0',
  routeKey: 'POST /todos',
  rawPath: '/todos',
  rawQueryString: '',
  headers: { host: 'api.example.test', 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
  requestContext: {
    domainName: 'api.example.test',
    http: { method: 'POST', path: '/todos', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: 'bench',
    authorizer: {
      jwt: {
        claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench', sub: 'cold-start-user' },
        scopes: null,
      },
    },
    routeKey: 'POST /todos',
    stage: '$default',
  },
  body: '{"title":"cold start"}',
  isBase64Encoded: false,
});
// Exit at once: a keep-alive socket would otherwise hold the process open.
process.exit(response.statusCode === 201 ? 0 : 1);
