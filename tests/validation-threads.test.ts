/** How many threads each validation pool of a node runs (pipelines/node-settings.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validationThreadsPerPool } from '../pipelines/node-settings';

describe('the threads of each validation pool', () => {
  test('are one per two cores, rounded up, and never none, so the two pools together have about one per core', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16].map((cores) => validationThreadsPerPool(cores)), [1, 1, 2, 2, 4, 8]);
  });
});
