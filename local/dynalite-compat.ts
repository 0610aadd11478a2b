/**
 * dynalite 4 predates `ReturnValuesOnConditionCheckFailure` (DynamoDB added it in June 2023): it drops the
 * parameter and never returns the stored item with a failed condition. The functions rely on it (a failed write
 * says what stopped it, in the same round trip), so the local store is taught it here, as DynamoDB does it: the
 * item that failed the condition, read under the same item lock as the check, goes into the error's `Item`.
 *
 * This reaches into dynalite's modules, so it checks that they still look as expected and fails loudly otherwise
 * (the lock file pins the version).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Data = Record<string, unknown>;
interface DynaliteError {
  body?: Data;
}
interface DynaliteDb {
  checkConditional(data: Data, existingItem: Data | undefined): DynaliteError | null | undefined;
}
interface DynaliteValidation {
  types?: Record<string, unknown>;
}

/** The writes that take a condition, as dynalite names its modules. */
const CONDITIONAL_WRITES = ['putItem', 'updateItem', 'deleteItem'];

let taught = false;

/** Idempotent; call before the store serves its first request. */
export function teachReturnValuesOnConditionCheckFailure(): void {
  if (taught) return;
  const db = require('dynalite/db') as Partial<DynaliteDb>;
  const validations = CONDITIONAL_WRITES.map((name) => require(`dynalite/validations/${name}`) as DynaliteValidation);
  const check = db.checkConditional;
  if (typeof check !== 'function' || validations.some((v) => typeof v.types !== 'object')) {
    throw new Error('This dynalite version is not the one local/dynalite-compat.ts was written for');
  }
  // dynalite drops request fields its validation does not declare.
  for (const { types } of validations) {
    if (types) types.ReturnValuesOnConditionCheckFailure = { type: 'String', enum: ['ALL_OLD', 'NONE'] };
  }
  db.checkConditional = (data, existingItem) => {
    const error = check(data, existingItem);
    if (error?.body && existingItem && data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
      error.body = { ...error.body, Item: existingItem };
    }
    return error;
  };
  taught = true;
}
