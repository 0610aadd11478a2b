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

interface IteratorPrototype {
  close?: () => Promise<void>;
  return?: () => Promise<{ done: true; value: undefined }>;
}

let iteratorsClosed = false;

/** The copies of abstract-level that dynalite's stores are built on (resolved as each of them resolves it). */
function abstractLevelCopies(): string[] {
  const fromDynalite = createRequire(require.resolve('dynalite'));
  const fromLevel = createRequire(fromDynalite.resolve('level'));
  const bases = [
    fromDynalite.resolve('level'),
    fromDynalite.resolve('memory-level'),
    fromLevel.resolve('classic-level'),
  ];
  return [...new Set(bases.map((base) => createRequire(base).resolve('abstract-level')))];
}

/**
 * dynalite 4 turns LevelDB iterators into streams (createKeyStream and createValueStream in dynalite/db/index.js)
 * whose destroy() closes the iterator with `iterator.return()`, the async-iterator protocol's method, and skips the
 * close when there is none. abstract-level 3's iterators have `close()` and no `return()` (nor the `end()` of older
 * versions), and never close themselves at their end, so no iterator is ever closed: each one of every Query and
 * Scan, whether it stops at Limit or reads to the end, stays attached to the database with its native iterator and
 * snapshot (classic-level: two per call, a value iterator over an entry iterator), about 15-20 KB per list call, for
 * as long as the store runs. This gives the iterators the `return()` dynalite calls: close, and report the end, as
 * the protocol says.
 *
 * Idempotent. `DYNALITE_ITERATOR_FIX=off` leaves the leak in place, for `npm run bench -- memory`'s "before" only.
 */
export function closeIteratorsOnDestroy(): void {
  if (iteratorsClosed || process.env.DYNALITE_ITERATOR_FIX === 'off') return;
  for (const file of abstractLevelCopies()) {
    const { AbstractIterator } = require(file) as { AbstractIterator?: { prototype: object } };
    // CommonIterator, the base of AbstractIterator, AbstractKeyIterator and AbstractValueIterator.
    const common = AbstractIterator && (Object.getPrototypeOf(AbstractIterator.prototype) as IteratorPrototype);
    if (!common || typeof common.close !== 'function') {
      throw new Error(`${file} is not the abstract-level local/dynalite-compat.ts was written for`);
    }
    if (typeof common.return === 'function') continue;
    common.return = async function (this: IteratorPrototype) {
      await this.close?.();
      return { done: true, value: undefined };
    };
  }
  iteratorsClosed = true;
}
