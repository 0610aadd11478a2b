import type { RequestRecord } from '../../src/http/handler.js';

/** A created todo's request, as the create function's first request reports it. */
export const SAMPLE: RequestRecord = {
  requestId: 'bench-request',
  awsRequestId: 'bench-invocation',
  routeKey: 'POST /todos',
  status: 201,
  latencyMs: 12.5,
  coldStart: true,
  owner: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench#cold-start-user',
  counts: { TodosCreated: 1 },
};
