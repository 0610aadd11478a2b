import { route, todos } from '../app.js';
import { pathParameter } from '../http/request.js';
import { noContent } from '../http/responses.js';

/** `DELETE /todos/{id}`: 404 when there is no such todo. */
export const handler = route(async ({ event, owner }) => {
  await todos.delete(owner, pathParameter(event, 'id'));
  return noContent();
});
