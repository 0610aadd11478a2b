/**
 * A DynamoDB PutItem signed with aws4, as src/store/dynamodb.ts did before src/store/sigv4.ts: bundled and imported in
 * a fresh process by bench/coldstart/imports.ts, against ours.ts.
 */
import aws4 from 'aws4';
import { BODY, CREDENTIALS, HOST } from './sample.js';

aws4.sign(
  {
    host: HOST,
    path: '/',
    method: 'POST',
    service: 'dynamodb',
    region: 'us-east-1',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
    body: BODY,
  },
  CREDENTIALS,
);
