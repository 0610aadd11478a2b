/**
 * A create's body checked with the zod schemas of src/todos/schema.ts, as the routes did before validation.ts: bundled
 * and imported in a fresh process by bench/coldstart/imports.ts, against ours.ts.
 */
import { newTodoSchema } from '../../../src/todos/schema.js';

if (!newTodoSchema.safeParse(JSON.parse('{"title":"cold start"}')).success) throw new Error('refused');
