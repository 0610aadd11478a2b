'use strict';
/**
 * How osls reads a function's `handler`: `src/handlers/create.handler` is the export `handler` of the module
 * `src/handlers/create` (relative to serverless.yml, extension left to the runtime). The bundling plugin, the local
 * gateway and the tests all read handler strings through this one function.
 */
function splitHandler(handler) {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1 || handler.slice(dot + 1).includes('/')) {
    throw new Error(`handler "${handler}" must be <module path>.<export name>, e.g. src/handlers/create.handler`);
  }
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

module.exports = { splitHandler };
