/**
 * The composition root of the public routes (the index, the OpenAPI document and the docs page): configuration
 * read and checked once per execution environment. They need no table and no DynamoDB client, so they load none.
 */
import { readPublicConfig } from './config.js';
import { createPublicHttpHandler } from './http/handler.js';

export const publicConfig = readPublicConfig(process.env);

/** Wraps a public route into this deployment's Lambda handler. */
export const publicRoute = createPublicHttpHandler(publicConfig);
