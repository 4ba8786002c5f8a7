// The part of five-bells-condition@3.3.1 this project uses; the package ships no types.
declare module 'five-bells-condition' {
  export class Condition {
    static fromUri(uri: string): Condition;
    setTypeId(typeId: number): void;
    setBitmask(bitmask: number): void;
    setHash(hash: Buffer): void;
    setMaxFulfillmentLength(length: number): void;
    getTypeId(): number;
    getBitmask(): number;
    getHash(): Buffer;
    getMaxFulfillmentLength(): number;
    serializeUri(): string;
    serializeBinary(): Buffer;
  }
  export class Fulfillment {
    static fromUri(uri: string): Fulfillment;
    static TYPE_ID: number;
    static FEATURE_BITMASK: number;
    getTypeId(): number;
    getBitmask(): number;
    getCondition(): Condition;
    getConditionUri(): string;
    serializeUri(): string;
  }
  export class Ed25519 extends Fulfillment {
    publicKey: Buffer | null;
    signature: Buffer | null;
    setPublicKey(publicKey: Buffer): void;
    setSignature(signature: Buffer): void;
  }
  export interface Subcondition {
    type: 'condition' | 'fulfillment';
    body: Condition | Fulfillment;
    weight: number;
  }
  export class ThresholdSha256 extends Fulfillment {
    threshold: number;
    subconditions: Subcondition[];
    setThreshold(threshold: number): void;
    addSubfulfillment(fulfillment: Fulfillment, weight?: number): void;
    addSubcondition(condition: Condition, weight?: number): void;
  }
  export class PreimageSha256 extends Fulfillment {
    preimage: Buffer;
    setPreimage(preimage: Buffer): void;
  }
  export const TypeRegistry: {
    registerType(cls: typeof Fulfillment): void;
  };
}
