/** The bench's summaries of its samples (bench/result.ts): the median it compares, and the spread it shows. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median, middleHalf } from '../../bench/result.js';

describe('bench results', () => {
  test('the median of an odd and an even number of samples, in any order', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test('the middle half runs from the lower to the upper quartile, and ignores the outliers', () => {
    // 21 samples, as (a) takes: 1..19 and two far outliers on each side of them.
    const samples = [...Array.from({ length: 19 }, (_, i) => i + 1), -100, 1000];
    assert.deepEqual(middleHalf(samples), [5, 15]);
    assert.deepEqual(middleHalf([7]), [7, 7]);
  });
});
