import { route, todos } from '../app.js';
import { noContent } from '../http/responses.js';

/** `DELETE /todos`: deletes every todo of the caller, and only the caller's. */
export const handler = route(async ({ owner, count }) => {
  count('TodosDeleted', await todos.deleteAll(owner));
  return noContent();
});
