// The floor for a cold start: a fresh process that sends the same PutItem with node:http and nothing else.
// argv: <endpoint> <table>.

import { randomUUID } from 'node:crypto';
import http from 'node:http';

const [endpoint, table] = process.argv.slice(2);
const url = new URL(endpoint);
const now = new Date().toISOString();
const body = JSON.stringify({
  TableName: table,
  Item: {
    owner: { S: 'anonymous' },
    id: { S: randomUUID() },
    title: { S: 'cold start' },
    completed: { BOOL: false },
    createdAt: { S: now },
    updatedAt: { S: now },
  },
  ConditionExpression: 'attribute_not_exists(#id)',
  ExpressionAttributeNames: { '#id': 'id' },
});
const request = http.request(
  {
    hostname: url.hostname,
    port: url.port,
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.PutItem',
      // The local store checks that a signature is present, not that it is right.
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-date': '20200101T000000Z',
    },
  },
  (response) => {
    response.resume();
    response.on('end', () => process.exit(response.statusCode === 200 ? 0 : 1));
  },
);
request.end(body);
