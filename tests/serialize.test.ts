/**
 * The canonical JSON writer and the lossless JSON reader of SPEC.md §1.
 * Expected bytes come from 0.8.2's serializer (vectors/serialization_cases.json)
 * or are spelled out by hand from the rules.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SerializationError } from '../models/errors';
import { sha3Hex } from '../models/hash';
import { compareCodePoints, MAX_NESTING_DEPTH, parseJson, serialize, serializeWithItems } from '../models/serialize';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from './helpers/vectors';

const refusesWith = (fn: () => unknown): void => assert.throws(fn, SerializationError);

/** `depth` arrays nested inside one another around a 0. */
function nestedArrays(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** `depth` objects nested inside one another under key "k". */
function nestedObjects(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { k: v };
  return v;
}

describe('serialize: layout', () => {
  test('writes no whitespace and keeps array order', () => {
    assert.equal(serialize({ a: [3, 1, 2], b: 'x y' }), '{"a":[3,1,2],"b":"x y"}');
  });

  test('writes booleans, null and empty containers like 0.8.2', () => {
    assert.equal(serialize({ t: true, f: false, n: null }), '{"f":false,"n":null,"t":true}');
    assert.equal(serialize({ o: {}, a: [] }), '{"a":[],"o":{}}');
  });

  test('SHA3-256 of the serialization matches 0.8.2 for the nested key order case', () => {
    const s = serialize({ z: { b: [3, { y: 1, x: 2 }], a: 0 } });
    assert.equal(s, '{"z":{"a":0,"b":[3,{"x":2,"y":1}]}}');
    assert.equal(sha3Hex(s), 'c3f367f40aea796dc24ed57cafeab06314ccc3cc79d487981b9e11a7b605caab');
  });

  test('refuses undefined, functions and bigints, which have no JSON form', () => {
    refusesWith(() => serialize(undefined));
    refusesWith(() => serialize({ a: undefined }));
    refusesWith(() => serialize([() => 1]));
    refusesWith(() => serialize(1n));
  });
});

describe('serialize: key order is by code point (UTF-8 bytes)', () => {
  test('sorts the 0.8.2 key order case byte-wise, emoji after U+FFFF and e+U+0301 before é', () => {
    const posted =
      '{"b":1,"a":2,"B":3,"_":4,"aa":5,"a_":6,"\\u00e9":7,"e\\u0301":8,"\\uffff":9,"\\ud83d\\ude00":10,"Z":11,"1":12}';
    const s = serialize(JSON.parse(posted));
    assert.equal(
      s,
      '{"1":12,"B":3,"Z":11,"_":4,"a":2,"a_":6,"aa":5,"b":1,"e\u0301":8,"\u00e9":7,"\uffff":9,"\u{1F600}":10}',
    );
    assert.equal(sha3Hex(s), 'bcdd5ff2283ffa6dd2bd7a5303f503bd633eb9cc353630edf7aeb7af45f537d8');
  });

  test('puts an astral key after a U+E000–U+FFFF key although UTF-16 order says the opposite', () => {
    assert.equal(serialize({ '\u{1F600}': 1, '\ue000': 2 }), '{"\ue000":2,"\u{1F600}":1}');
    assert.equal(serialize({ '\u{10000}': 1, '\uffff': 2, a: 3 }), '{"a":3,"\uffff":2,"\u{10000}":1}');
  });

  test('orders two astral keys by code point', () => {
    assert.equal(serialize({ '\u{1F601}': 1, '\u{1F600}': 2, '\u{10000}': 3 }), '{"\u{10000}":3,"\u{1F600}":2,"\u{1F601}":1}');
  });

  test('orders a key that is a prefix of another first', () => {
    assert.equal(serialize({ ab: 1, a: 2, '\u{1F600}x': 3, '\u{1F600}': 4 }), '{"a":2,"ab":1,"\u{1F600}":4,"\u{1F600}x":3}');
  });

  test('sorts keys at every nesting level, inside arrays too', () => {
    const value = { b: { d: 1, c: [{ '\u{1F600}': 1, '\uffff': 2 }] }, a: { z: null, y: true } };
    assert.equal(serialize(value), '{"a":{"y":true,"z":null},"b":{"c":[{"\uffff":2,"\u{1F600}":1}],"d":1}}');
  });

  test('compareCodePoints ranks U+FFFF below an astral character and é above e+U+0301', () => {
    assert.ok(compareCodePoints('\uffff', '\u{1F600}') < 0);
    assert.ok(compareCodePoints('\u{1F600}', '\ue000') > 0);
    assert.ok(compareCodePoints('\u00e9', 'e\u0301') > 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.equal(compareCodePoints('\u{1F600}', '\u{1F600}'), 0);
    assert.ok(compareCodePoints('\u{1F600}', '\u{1F601}') < 0);
  });
});

describe('serialize: strings', () => {
  test('escapes control characters with short escapes or upper-case \\u00XX', () => {
    const s = serialize({ x: '\u0000\u0001\b\t\n\u000b\f\r\u001f' });
    assert.equal(s, '{"x":"\\u0000\\u0001\\b\\t\\n\\u000B\\f\\r\\u001F"}');
    assert.equal(sha3Hex(s), 'a368d152033a8551f8f8f7e1cc58c5a11badb85db2b03b9290979cd85a52a5af');
  });

  test('escapes every control character U+0000–U+001F and nothing at or above U+0020 except quote and backslash', () => {
    const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
    for (let c = 0; c < 0x20; c++) {
      const expected = short[c] ?? '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
      assert.equal(serialize(String.fromCharCode(c)), `"${expected}"`, `U+${c.toString(16)}`);
    }
    assert.equal(serialize(' !#~'), '" !#~"');
  });

  test('escapes quote and backslash in values and keys', () => {
    assert.equal(serialize({ 'k"\\': 'v"\\' }), '{"k\\"\\\\":"v\\"\\\\"}');
  });

  test('writes DEL, slash, quote and backslash as 0.8.2 does (DEL and slash raw)', () => {
    const s = serialize({ x: '\u007f / " \\' });
    assert.equal(s, '{"x":"\u007f / \\" \\\\"}');
    assert.equal(sha3Hex(s), '9b32971a3f1069d38aec3c0e65d9d39e3155ceed4cb384ccc220a3b963c64963');
  });

  test('writes U+2028 and U+2029 raw', () => {
    const s = serialize({ x: '\u2028\u2029' });
    assert.equal(s, '{"x":"\u2028\u2029"}');
    assert.equal(sha3Hex(s), 'e8bf65b29e2630f743498a2cf547da696ce2a49f52165c84c79e0bf54d17862a');
  });

  test('writes non-ASCII and astral characters raw as UTF-8', () => {
    const bmp = serialize({ x: 'Gr\u00fc\u00dfe \u2713 \u4e2d\u6587' });
    assert.equal(bmp, '{"x":"Grüße ✓ 中文"}');
    assert.equal(sha3Hex(bmp), 'db2b1dca59aa5fe2f72c0a306b0ce98b69d45f43028582af7c4330d6e9b27b66');
    const astral = serialize({ x: '\ud83d\ude00' });
    assert.equal(astral, '{"x":"😀"}');
    assert.equal(sha3Hex(astral), '579eeacf3164583f2c9af2069a80d7c6765c577cf4c8e529ff5775880cb91fb2');
  });

  test('refuses a lone high or low surrogate in a value with SerializationError', () => {
    refusesWith(() => serialize({ x: '\ud800' }));
    refusesWith(() => serialize({ x: 'a\udc00b' }));
    refusesWith(() => serialize({ x: '\ude00\ud83d' }));
    refusesWith(() => serialize(['ok', '\ud83d']));
  });

  test('refuses a lone surrogate in a key with SerializationError', () => {
    refusesWith(() => serialize({ '\ud83d': 1 }));
    refusesWith(() => serialize({ a: 1, 'x\udfff': 2 }));
  });
});

describe('serializeWithItems', () => {
  test("gives the whole text of 0.8.2's block h and, as parts of it, each transaction's own serialization", () => {
    const vector = JSON.parse(readFileSync(join(VECTORS_DIR, 'h_block_a_b.json'), 'utf8')) as { block: { id: string; block: { transactions: unknown[] } & Record<string, unknown> } };
    const body = vector.block.block;
    const { text, items } = serializeWithItems(body, 'transactions');
    assert.equal(text, serialize(body));
    assert.equal(sha3Hex(text), vector.block.id);
    assert.deepEqual(items, body.transactions.map((tx) => serialize(tx)));
    for (const item of items) assert.ok(text.includes(item));
  });

  test('counts nesting as serialize does, and refuses what it refuses and a key that is not an array', () => {
    const deepest = { t: [nestedArrays(MAX_NESTING_DEPTH - 2)] };
    assert.equal(serializeWithItems(deepest, 't').text, serialize(deepest));
    refusesWith(() => serializeWithItems({ t: [nestedArrays(MAX_NESTING_DEPTH - 1)] }, 't'));
    refusesWith(() => serializeWithItems({ t: [{ n: Infinity }] }, 't'));
    refusesWith(() => serializeWithItems({ t: {} }, 't'));
  });
});

describe('serialize: nesting depth', () => {
  test(`accepts exactly MAX_NESTING_DEPTH (${MAX_NESTING_DEPTH}) nested arrays or objects`, () => {
    assert.equal(MAX_NESTING_DEPTH, 100);
    assert.equal(serialize(nestedArrays(MAX_NESTING_DEPTH)), '['.repeat(100) + '0' + ']'.repeat(100));
    assert.equal(serialize(nestedObjects(MAX_NESTING_DEPTH)), '{"k":'.repeat(100) + '0' + '}'.repeat(100));
  });

  test('refuses nesting one level beyond MAX_NESTING_DEPTH with SerializationError', () => {
    refusesWith(() => serialize(nestedArrays(MAX_NESTING_DEPTH + 1)));
    refusesWith(() => serialize(nestedObjects(MAX_NESTING_DEPTH + 1)));
    refusesWith(() => serialize({ a: [nestedObjects(MAX_NESTING_DEPTH - 1)] }));
  });

  test('refuses very deep nesting with SerializationError, not a stack overflow', () => {
    refusesWith(() => serialize(nestedArrays(100_000)));
  });
});

describe('serialize: numbers', () => {
  test('writes integers as plain digits', () => {
    assert.equal(serialize({ x: -42 }), '{"x":-42}');
    assert.equal(serialize([0, 1, 1000000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]), '[0,1,1000000,9007199254740991,-9007199254740991]');
  });

  test('writes negative zero as 0', () => {
    assert.equal(serialize(-0), '0');
    assert.equal(serialize({ x: -0 }), '{"x":0}');
  });

  test('writes non-integral numbers with the shortest round-trip digits', () => {
    assert.equal(serialize({ x: 0.1 }), '{"x":0.1}');
    assert.equal(serialize({ x: 3.14159 }), '{"x":3.14159}');
    assert.equal(serialize(0.000001), '0.000001');
    assert.equal(serialize(-2.5), '-2.5');
    assert.equal(serialize(0.1 + 0.2), '0.30000000000000004');
  });

  test('writes exponents without a plus sign (1e-7, 5e-324)', () => {
    assert.equal(serialize({ x: 1e-7 }), '{"x":1e-7}');
    assert.equal(sha3Hex(serialize({ x: 1e-7 })), 'd248470f1e7041021e6079e4bb9b88b4edf7beab539d5465b82881641540b02e');
    assert.equal(serialize({ x: 5e-324 }), '{"x":5e-324}');
    assert.equal(serialize(-1.5e-10), '-1.5e-10');
  });

  test('refuses 1e21 and other integers beyond 2^53 with SerializationError', () => {
    refusesWith(() => serialize({ x: 1e21 }));
    refusesWith(() => serialize(-1e21));
    refusesWith(() => serialize(2 ** 53 + 2));
    refusesWith(() => serialize(1.2345678901234567e25));
    refusesWith(() => serialize(1.7976931348623157e308));
  });

  test('refuses NaN and infinities with SerializationError', () => {
    refusesWith(() => serialize({ x: NaN }));
    refusesWith(() => serialize(Infinity));
    refusesWith(() => serialize([-Infinity]));
  });
});

describe('parseJson', () => {
  test('parses ordinary JSON into the same value as JSON.parse', () => {
    const text = '{"a":[1,-2,0.5,"s"],"b":{"c":null,"d":true},"e":-0.25}';
    assert.deepEqual(parseJson(text), JSON.parse(text));
  });

  test('accepts non-integral floats such as 0.5, 0.1 and 1e-7', () => {
    assert.deepEqual(parseJson('{"x":0.5}'), { x: 0.5 });
    assert.deepEqual(parseJson('[0.1, -3.14159, 1e-7, 2.5E-3]'), [0.1, -3.14159, 1e-7, 0.0025]);
  });

  test('accepts integers up to 2^53 - 1 in magnitude', () => {
    assert.deepEqual(parseJson('[9007199254740991,-9007199254740991,0,-0]'), [9007199254740991, -9007199254740991, 0, -0]);
  });

  test('refuses integral values written as floats (1.0, 1e2, -0.0, 1E2, 1.5e1, 100000000000000000000.0) with SerializationError', () => {
    for (const text of ['{"x": 1.0}', '{"x":1e2}', '{"x":-0.0}', '[1E2]', '[1.5e1]', '{"x":100000000000000000000.0}', '2.0', '{"a":{"b":[0.5,3.0]}}']) {
      refusesWith(() => parseJson(text));
    }
  });

  test('refuses a float literal so long it rounds to an integer (1.00000000000000001) with SerializationError', () => {
    refusesWith(() => parseJson('{"x":1.00000000000000001}'));
  });

  test('refuses integers beyond 2^53 (2^53+1, 2^64, negative) with SerializationError', () => {
    refusesWith(() => parseJson('{"x": 9007199254740993}'));
    refusesWith(() => parseJson('{"x":18446744073709551616}'));
    refusesWith(() => parseJson('[-9007199254740993]'));
  });

  test('refuses a float exponent that overflows to infinity (1e400 is an integral value written as a float)', () => {
    refusesWith(() => parseJson('{"x":1e400}'));
    refusesWith(() => parseJson('{"x":-1e400}'));
  });

  test('accepts number-like text inside string values and keys', () => {
    assert.deepEqual(parseJson('{"x":"1.0"}'), { x: '1.0' });
    assert.deepEqual(parseJson('{"1.0":1,"1e2":"9007199254740993"}'), { '1.0': 1, '1e2': '9007199254740993' });
  });

  test('is not confused by escaped quotes and backslashes around number-like text in strings', () => {
    assert.deepEqual(parseJson('{"a":"x\\"1.0","b":2}'), { a: 'x"1.0', b: 2 });
    assert.deepEqual(parseJson('{"a":"\\\\","b":"1e2\\\\"}'), { a: '\\', b: '1e2\\' });
    refusesWith(() => parseJson('{"a":"\\\\","b":1.0}'));
  });

  test('refuses malformed JSON with SerializationError', () => {
    for (const text of ['', '{', '{"a":}', "{'a':1}", '[1,]', '{"a":1}}', 'NaN', '01', '{"a":1,}', 'undefined']) {
      refusesWith(() => parseJson(text));
    }
  });
});
