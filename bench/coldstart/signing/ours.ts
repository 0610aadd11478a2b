/** The same PutItem signed with src/store/sigv4.ts, against aws4.ts. */
import { createSigner } from '../../../src/store/sigv4.js';
import { BODY, CREDENTIALS, HOST } from './sample.js';

createSigner({ credentials: CREDENTIALS, region: 'us-east-1', service: 'dynamodb' })({
  host: HOST,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
  body: BODY,
});
