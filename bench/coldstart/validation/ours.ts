/** A create's body checked as the routes check it (src/todos/validation.ts), against zod.ts. */
import { parseNewTodo } from '../../../src/todos/validation.js';

parseNewTodo(JSON.parse('{"title":"cold start"}'));
