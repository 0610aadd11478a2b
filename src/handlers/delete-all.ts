import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { noContent } from '../http/responses.js';

/** `DELETE /todos`: deletes every todo of the caller, and only the caller's. */
export const handler = httpHandler(async (event) => {
  await todos.deleteAll(ownerOf(event, config.authMode));
  return noContent();
});
