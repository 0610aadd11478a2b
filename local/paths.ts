import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root directory (where serverless.yml is). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
