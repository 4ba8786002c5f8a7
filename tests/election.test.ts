/**
 * The status of a block from its votes (SPEC.md §6), with n voters:
 * invalid ⇐ invalid votes ≥ ⌈n/2⌉; else valid ⇐ valid votes > ⌊n/2⌋ and the
 * most common previous_block among them has > ⌊n/2⌋ votes (else invalid);
 * else undecided. Only correctly signed votes of listed voters count. While
 * votes are missing, a block is decided only once no missing vote can change
 * the answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { blockElectionStatus, type BlockStatus } from '../consensus/election';
import { MultipleVotesError } from '../models/errors';
import { generateKeypair, type Keypair } from '../models/keys';
import type { BlockId, PublicKey, Timestamp } from '../models/types';
import { createVote, type VoteDict } from '../models/vote';

const BLOCK = 'a1'.repeat(32) as BlockId;
const OTHER_BLOCK = 'b2'.repeat(32) as BlockId;
const PREV = 'c3'.repeat(32) as BlockId;
const PREV_2 = 'd4'.repeat(32) as BlockId;
const PREV_3 = 'e5'.repeat(32) as BlockId;
const TS = '1485511200' as Timestamp;

interface Federation {
  readonly nodes: Keypair[];
  readonly voters: PublicKey[];
}

function federation(n: number): Federation {
  const nodes = Array.from({ length: n }, () => generateKeypair());
  return { nodes, voters: nodes.map((k) => k.publicKey) };
}

const vote = (node: Keypair, valid: boolean, previous: BlockId = PREV, block: BlockId = BLOCK, ts: Timestamp = TS): VoteDict =>
  createVote(node, block, previous, valid, ts);

/** `valid` valid votes then `invalid` invalid votes, from distinct nodes of `fed` in order. */
function votes(fed: Federation, valid: number, invalid: number): VoteDict[] {
  assert.ok(valid + invalid <= fed.nodes.length);
  return fed.nodes.slice(0, valid + invalid).map((node, i) => vote(node, i < valid));
}

function status(fed: Federation, vs: VoteDict[]): BlockStatus {
  return blockElectionStatus(BLOCK, fed.voters, vs);
}

/** A vote signed by `signer` that claims to come from `claimed`. */
function forged(signer: Keypair, claimed: Keypair, valid: boolean): VoteDict {
  return { ...vote(signer, valid), node_pubkey: claimed.publicKey };
}

describe('election by federation size', () => {
  // [n, valid votes, invalid votes, expected]
  const table: [number, number, number, BlockStatus][] = [
    [1, 0, 0, 'undecided'],
    [1, 1, 0, 'valid'],
    [1, 0, 1, 'invalid'],
    [2, 0, 0, 'undecided'],
    [2, 1, 0, 'undecided'],
    [2, 2, 0, 'valid'],
    [2, 0, 1, 'invalid'],
    [2, 1, 1, 'invalid'],
    [3, 0, 0, 'undecided'],
    [3, 1, 0, 'undecided'],
    [3, 2, 0, 'valid'],
    [3, 3, 0, 'valid'],
    [3, 0, 1, 'undecided'],
    [3, 1, 1, 'undecided'],
    [3, 0, 2, 'invalid'],
    [3, 2, 1, 'valid'],
    [3, 1, 2, 'invalid'],
    [4, 2, 0, 'undecided'],
    [4, 3, 0, 'valid'],
    [4, 1, 1, 'undecided'],
    [4, 0, 2, 'invalid'],
    [4, 2, 2, 'invalid'],
    [4, 3, 1, 'valid'],
    [4, 1, 3, 'invalid'],
    [5, 2, 0, 'undecided'],
    [5, 3, 0, 'valid'],
    [5, 0, 2, 'undecided'],
    [5, 2, 2, 'undecided'],
    [5, 0, 3, 'invalid'],
    [5, 3, 2, 'valid'],
    [5, 2, 3, 'invalid'],
    [5, 5, 0, 'valid'],
  ];
  const feds = new Map<number, Federation>();
  for (const [n, valid, invalid, expected] of table) {
    test(`n=${n}: ${valid} valid + ${invalid} invalid votes → ${expected}`, () => {
      if (!feds.has(n)) feds.set(n, federation(n));
      const fed = feds.get(n)!;
      assert.equal(status(fed, votes(fed, valid, invalid)), expected);
    });
  }

  test('a tie in an even federation (2 valid, 2 invalid of 4) is invalid', () => {
    const fed = federation(4);
    assert.equal(status(fed, votes(fed, 2, 2)), 'invalid');
  });

  test('a tie in a federation of 2 (1 valid, 1 invalid) is invalid', () => {
    const fed = federation(2);
    assert.equal(status(fed, votes(fed, 1, 1)), 'invalid');
  });

  test('the order of the votes does not matter', () => {
    const fed = federation(5);
    const vs = votes(fed, 3, 2);
    assert.equal(status(fed, vs), 'valid');
    assert.equal(status(fed, [...vs].reverse()), 'valid');
  });

  test('a block with no voters is invalid (⌈0/2⌉ = 0 invalid votes suffice)', () => {
    assert.equal(blockElectionStatus(BLOCK, [], []), 'invalid');
  });
});

describe('only correctly signed votes of listed voters count', () => {
  test('3 voters, 2 valid votes + 1 forged invalid vote → valid', () => {
    const fed = federation(3);
    const outsider = generateKeypair();
    const vs = [vote(fed.nodes[0]!, true), vote(fed.nodes[1]!, true), forged(outsider, fed.nodes[2]!, false)];
    assert.equal(status(fed, vs), 'valid');
  });

  test('3 voters, 1 valid vote + 2 forged invalid votes → undecided, not invalid', () => {
    const fed = federation(3);
    const outsider = generateKeypair();
    const vs = [vote(fed.nodes[0]!, true), forged(outsider, fed.nodes[1]!, false), forged(outsider, fed.nodes[2]!, false)];
    assert.equal(status(fed, vs), 'undecided');
  });

  test('a vote signed by one voter in the name of another voter is ignored', () => {
    const fed = federation(3);
    const vs = [vote(fed.nodes[0]!, true), forged(fed.nodes[1]!, fed.nodes[2]!, false), forged(fed.nodes[0]!, fed.nodes[1]!, false)];
    assert.equal(status(fed, vs), 'undecided');
  });

  test('correctly signed votes from nodes that are not voters are ignored', () => {
    const fed = federation(3);
    const outsiders = [generateKeypair(), generateKeypair(), generateKeypair()];
    assert.equal(status(fed, outsiders.map((o) => vote(o, false))), 'undecided');
    assert.equal(status(fed, outsiders.map((o) => vote(o, true))), 'undecided');
    assert.equal(status(fed, [...outsiders.map((o) => vote(o, false)), ...votes(fed, 2, 0)]), 'valid');
  });

  test('a vote whose body was changed after signing is ignored', () => {
    const fed = federation(3);
    const flipped = vote(fed.nodes[2]!, true);
    const tampered: VoteDict = { ...flipped, vote: { ...flipped.vote, is_block_valid: false } };
    const alsoFlipped = vote(fed.nodes[1]!, true);
    const tampered2: VoteDict = { ...alsoFlipped, vote: { ...alsoFlipped.vote, is_block_valid: false } };
    assert.equal(status(fed, [vote(fed.nodes[0]!, true), tampered, tampered2]), 'undecided');
  });

  test('a vote retargeted to this block after signing is ignored', () => {
    const fed = federation(3);
    const elsewhere = vote(fed.nodes[1]!, false, PREV, OTHER_BLOCK);
    const retargeted: VoteDict = { ...elsewhere, vote: { ...elsewhere.vote, voting_for_block: BLOCK } };
    const elsewhere2 = vote(fed.nodes[2]!, false, PREV, OTHER_BLOCK);
    const retargeted2: VoteDict = { ...elsewhere2, vote: { ...elsewhere2.vote, voting_for_block: BLOCK } };
    assert.equal(status(fed, [retargeted, retargeted2]), 'undecided');
  });

  test('a genuine vote and a forged vote in the name of the same node are not a MultipleVotesError', () => {
    const fed = federation(3);
    const outsider = generateKeypair();
    const vs = [vote(fed.nodes[0]!, true), vote(fed.nodes[1]!, true), forged(outsider, fed.nodes[1]!, false)];
    assert.equal(status(fed, vs), 'valid');
  });

  test('votes for another block id are ignored', () => {
    const fed = federation(3);
    const elsewhere = fed.nodes.map((n) => vote(n, false, PREV, OTHER_BLOCK));
    assert.equal(status(fed, elsewhere), 'undecided');
    assert.equal(status(fed, [...elsewhere, vote(fed.nodes[0]!, true), vote(fed.nodes[1]!, true)]), 'valid');
    assert.equal(blockElectionStatus(OTHER_BLOCK, fed.voters, [...elsewhere, vote(fed.nodes[0]!, true)]), 'invalid');
  });
});

describe('multiple votes', () => {
  test('two correctly signed votes from one node for the block throw MultipleVotesError', () => {
    const fed = federation(3);
    const node = fed.nodes[0]!;
    assert.throws(() => status(fed, [vote(node, true), vote(node, false)]), MultipleVotesError);
    assert.throws(
      () => status(fed, [vote(node, true), vote(fed.nodes[1]!, true), vote(node, true, PREV, BLOCK, '1485511201' as Timestamp)]),
      MultipleVotesError,
    );
  });

  test('the exact same vote listed twice is a MultipleVotesError', () => {
    const fed = federation(3);
    const v = vote(fed.nodes[0]!, true);
    assert.throws(() => status(fed, [v, v]), MultipleVotesError);
  });
});

describe('previous_block agreement', () => {
  test('3 voters, 2 valid votes disagreeing on previous_block → undecided: the third vote decides, valid or invalid', () => {
    const fed = federation(3);
    const two = [vote(fed.nodes[0]!, true, PREV), vote(fed.nodes[1]!, true, PREV_2)];
    assert.equal(status(fed, two), 'undecided');
    assert.equal(status(fed, [...two, vote(fed.nodes[2]!, true, PREV)]), 'valid');
    assert.equal(status(fed, [...two, vote(fed.nodes[2]!, true, PREV_3)]), 'invalid');
    assert.equal(status(fed, [...two, vote(fed.nodes[2]!, false, PREV)]), 'invalid');
  });

  test('3 voters, 3 valid votes all on different previous blocks → invalid', () => {
    const fed = federation(3);
    const vs = [vote(fed.nodes[0]!, true, PREV), vote(fed.nodes[1]!, true, PREV_2), vote(fed.nodes[2]!, true, PREV_3)];
    assert.equal(status(fed, vs), 'invalid');
  });

  test('3 voters, 2 agreeing valid votes + 1 valid vote with another previous_block → valid', () => {
    const fed = federation(3);
    const vs = [vote(fed.nodes[0]!, true, PREV), vote(fed.nodes[1]!, true, PREV_2), vote(fed.nodes[2]!, true, PREV)];
    assert.equal(status(fed, vs), 'valid');
  });

  test('4 voters, 3 valid votes split 2/1 on previous_block → undecided; with the fourth in, invalid unless it joins the two (2 is not > ⌊4/2⌋)', () => {
    const fed = federation(4);
    const three = [vote(fed.nodes[0]!, true, PREV), vote(fed.nodes[1]!, true, PREV), vote(fed.nodes[2]!, true, PREV_2)];
    assert.equal(status(fed, three), 'undecided');
    assert.equal(status(fed, [...three, vote(fed.nodes[3]!, false, PREV)]), 'invalid');
    assert.equal(status(fed, [...three, vote(fed.nodes[3]!, true, PREV_2)]), 'invalid');
    assert.equal(status(fed, [...three, vote(fed.nodes[3]!, true, PREV)]), 'valid');
  });

  test('5 voters, 4 valid votes split 3/1 on previous_block → valid', () => {
    const fed = federation(5);
    const vs = [PREV, PREV_2, PREV, PREV].map((p, i) => vote(fed.nodes[i]!, true, p));
    assert.equal(status(fed, vs), 'valid');
  });

  test('5 voters, 3 valid votes split 2/1 on previous_block → undecided while two votes are missing', () => {
    const fed = federation(5);
    const vs = [PREV, PREV_2, PREV].map((p, i) => vote(fed.nodes[i]!, true, p));
    assert.equal(status(fed, vs), 'undecided');
    assert.equal(status(fed, [...vs, vote(fed.nodes[3]!, true, PREV)]), 'valid');
  });

  test('5 voters, 3 valid votes on three previous blocks and 1 invalid: no previous block can reach a majority → invalid before the last vote', () => {
    const fed = federation(5);
    const vs = [PREV, PREV_2, PREV_3].map((p, i) => vote(fed.nodes[i]!, true, p));
    // 1 agreeing vote + 2 missing is not > ⌊5/2⌋.
    assert.equal(status(fed, [...vs, vote(fed.nodes[3]!, false)]), 'invalid');
  });

  test('previous_block of invalid votes does not count toward agreement', () => {
    const fed = federation(5);
    const vs = [
      vote(fed.nodes[0]!, true, PREV), vote(fed.nodes[1]!, true, PREV), vote(fed.nodes[2]!, true, PREV_2),
      vote(fed.nodes[3]!, false, PREV), vote(fed.nodes[4]!, false, PREV),
    ];
    assert.equal(status(fed, vs), 'invalid');
  });
});

/** 0.8.2's rule, for a block whose voters have all voted: the reference the tally must end on. */
function rule082(n: number, vs: readonly VoteDict[]): BlockStatus {
  const valid = vs.filter((v) => v.vote.is_block_valid);
  if (vs.length - valid.length >= Math.ceil(n / 2)) return 'invalid';
  if (valid.length <= Math.floor(n / 2)) return 'undecided';
  const counts = new Map<string, number>();
  for (const v of valid) counts.set(v.vote.previous_block, (counts.get(v.vote.previous_block) ?? 0) + 1);
  return Math.max(...counts.values()) > Math.floor(n / 2) ? 'valid' : 'invalid';
}

describe('a decided status is final', () => {
  const nodes = Array.from({ length: 7 }, () => generateKeypair());
  const previous = [PREV, PREV_2, PREV_3];
  // Each voter's ballot: invalid, or valid on one of three previous blocks; a random order of arrival.
  const ballots = fc.integer({ min: 1, max: 7 }).chain((n) => fc.tuple(
    fc.constant(n),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
  ));

  test('every tally of the votes so far is undecided or the status of the full tally, which is 0.8.2\'s', () => {
    fc.assert(fc.property(ballots, ([n, choices, order]) => {
      const voters = nodes.slice(0, n).map((k) => k.publicKey);
      const all = order.map((i) => vote(nodes[i]!, choices[i]! > 0, previous[Math.max(0, choices[i]! - 1)]));
      const final = blockElectionStatus(BLOCK, voters, all);
      assert.equal(final, rule082(n, all));
      for (let k = 0; k < all.length; k++) {
        const early = blockElectionStatus(BLOCK, voters, all.slice(0, k));
        assert.ok(early === 'undecided' || early === final, `after ${k} of ${n} votes: ${early}, with all: ${final}`);
      }
    }), { numRuns: 300 });
  });
});
