import { route, todos } from '../app.js';
import { pathParameter } from '../http/request.js';
import { noContent } from '../http/responses.js';

/** `DELETE /todos/{id}`: 404 when there is no such todo; with `If-Match`, 412 when it is another version. */
export const handler = route(async ({ event, owner, ifMatch }) => {
  await todos.delete(owner, pathParameter(event, 'id'), ifMatch());
  return noContent();
});
