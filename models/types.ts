/** Branded string types, so a block id cannot be passed where a key is expected. */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 64 lowercase hex characters: SHA3-256 of a canonical serialization. */
export type Hash = Brand<string, 'Hash'>;
export type TxId = Hash;
export type BlockId = Hash;
/** base58 of a 32-byte Ed25519 public key. */
export type PublicKey = Brand<string, 'PublicKey'>;
/** base58 of a 32-byte Ed25519 seed. */
export type PrivateKey = Brand<string, 'PrivateKey'>;
/** base58 of a 64-byte Ed25519 signature. */
export type SignatureB58 = Brand<string, 'SignatureB58'>;
/** Whole Unix seconds as a decimal string, as blocks and votes carry them. */
export type Timestamp = Brand<string, 'Timestamp'>;

/** Any value that JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
