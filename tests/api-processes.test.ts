/** How many API processes a node runs (server/cluster.ts): `server.workers` when set, else one per two cores. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiProcessCount } from '../server/cluster';

describe('the number of API processes', () => {
  test('is server.workers when it is set, whatever the cores', () => {
    assert.equal(apiProcessCount(3, 2), 3);
    assert.equal(apiProcessCount(1, 16), 1);
  });

  test('is one per two cores when server.workers is null, rounded up, and never none', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16].map((cores) => apiProcessCount(null, cores)), [1, 1, 2, 2, 4, 8]);
  });
});
