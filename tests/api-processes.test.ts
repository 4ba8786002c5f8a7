/** How many API processes a node runs (server/cluster.ts): `server.workers` when set, else one per two cores; and what it says of `server.threads`. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiProcessCount, serverThreadsWarning } from '../server/cluster';

describe('the number of API processes', () => {
  test('is server.workers when it is set, whatever the cores', () => {
    assert.equal(apiProcessCount(3, 2), 3);
    assert.equal(apiProcessCount(1, 16), 1);
  });

  test('is one per two cores when server.workers is null, rounded up, and never none', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16].map((cores) => apiProcessCount(null, cores)), [1, 1, 2, 2, 4, 8]);
  });
});

describe('server.threads', () => {
  test('when set, draws a warning that names it and says it changes nothing', () => {
    const warning = serverThreadsWarning(4);
    assert.ok(warning !== null);
    assert.match(warning, /server\.threads \(4\) changes nothing/);
  });

  test('when null, the default, draws no warning', () => {
    assert.equal(serverThreadsWarning(null), null);
  });
});
