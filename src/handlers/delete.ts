import { route, todos } from '../app.js';
import { pathParameter } from '../http/request.js';
import { noContent } from '../http/responses.js';

/**
 * `DELETE /todos/{id}`: 404 when there is no such todo; 412 when its version does not satisfy If-Match or
 * If-None-Match.
 */
export const handler = route(async ({ event, owner, writePrecondition, count }) => {
  await todos.delete(owner, pathParameter(event, 'id'), writePrecondition());
  count('TodosDeleted');
  return noContent();
});
