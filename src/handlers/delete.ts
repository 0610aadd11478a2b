import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { pathParameter } from '../http/request.js';
import { noContent } from '../http/responses.js';

/** `DELETE /todos/{id}`: 404 when there is no such todo. */
export const handler = httpHandler(async (event) => {
  await todos.delete(ownerOf(event, config.authMode), pathParameter(event, 'id'));
  return noContent();
});
