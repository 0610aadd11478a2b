/** Content negotiation: weights, not the order of the list, decide; q=0 refuses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptsGzip, mediaTypeWeight } from '../../src/http/negotiation.js';

describe('mediaTypeWeight', () => {
  test('takes the most specific matching range', () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    assert.equal(mediaTypeWeight(browser, 'text/html'), 1);
    assert.equal(mediaTypeWeight(browser, 'application/json'), 0.8);
    assert.equal(mediaTypeWeight('text/*;q=0.5, */*;q=0.1', 'text/html'), 0.5);
    assert.equal(mediaTypeWeight('text/html;q=0, application/json', 'text/html'), 0);
    assert.equal(mediaTypeWeight('TEXT/HTML ; Q=0.3', 'text/html'), 0.3);
  });

  test('no header accepts everything; a header that names nothing matching gives 0', () => {
    assert.equal(mediaTypeWeight(undefined, 'application/json'), 1);
    assert.equal(mediaTypeWeight('  ', 'application/json'), 1);
    assert.equal(mediaTypeWeight('image/png', 'application/json'), 0);
  });

  test('a malformed or out-of-range q counts as 0', () => {
    assert.equal(mediaTypeWeight('text/html;q=high', 'text/html'), 0);
    assert.equal(mediaTypeWeight('text/html;q=2', 'text/html'), 0);
    assert.equal(mediaTypeWeight('text/html;level=1', 'text/html'), 1);
  });
});

describe('acceptsGzip', () => {
  test('gzip listed with a weight above 0, or * without gzip', () => {
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1'), true);
    assert.equal(acceptsGzip('x-gzip'), true);
    assert.equal(acceptsGzip('*'), true);
  });

  test('refused by gzip;q=0 (even with *), by *;q=0, or by not being listed', () => {
    assert.equal(acceptsGzip('gzip;q=0, identity'), false);
    assert.equal(acceptsGzip('gzip;q=0, *'), false);
    assert.equal(acceptsGzip('*;q=0'), false);
    assert.equal(acceptsGzip('br, deflate'), false);
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip(''), false);
  });
});
