/** The client's typed errors: each says what failed, with what a program needs to act on it. */

/** The server answered with an error: its HTTP status and its `message`. */
export class RequestError extends Error {
  override name = 'RequestError';

  constructor(readonly status: number, message: string, readonly url: string) {
    super(message);
  }
}

/** A transaction was not valid within the time given to `pollStatusAndFetchTransaction`. */
export class PollTimeout extends Error {
  override name = 'PollTimeout';

  constructor(readonly transactionId: string, readonly lastStatus: string | null, timeoutMs: number) {
    super(`transaction ${transactionId} was not valid within ${timeoutMs} ms (last status: ${lastStatus ?? 'unknown'})`);
  }
}

/** Which check of a light-client proof failed. */
export type ProofFailure =
  | 'not-in-block'
  | 'block-id'
  | 'block-signature'
  | 'signer-not-in-federation'
  | 'voters-not-federation'
  | 'transaction-not-in-block'
  | 'vote-signature'
  | 'duplicate-vote'
  | 'no-majority';

/** A light-client proof that does not hold, and why. */
export class ProofError extends Error {
  override name = 'ProofError';

  constructor(readonly reason: ProofFailure, message: string) {
    super(`${reason}: ${message}`);
  }
}
