/** Which constraint of circuits/ownership a witness fails (its assertion messages). */
export type ConstraintReason = 'membership' | 'nullifier' | 'zero_leaf' | 'other';

export const CONSTRAINT_REASONS: readonly ConstraintReason[] = [
  'membership',
  'nullifier',
  'zero_leaf',
  'other',
];

/** A well-formed witness that does not satisfy the circuit (HTTP 422). Never carries inputs. */
export class ConstraintError extends Error {
  override readonly name = 'ConstraintError';
  constructor(readonly reason: ConstraintReason) {
    super(
      reason === 'membership'
        ? 'the leaf H(H(secret), token, track_id) is not in the tree at root (membership)'
        : reason === 'nullifier'
          ? 'nullifier is not H(secret, track_id, scope) (nullifier)'
          : reason === 'zero_leaf'
            ? 'the leaf is the zero leaf (zero leaf)'
            : 'the witness does not satisfy the circuit',
    );
  }
}

/** Malformed input: not a field element, wrong path length, index outside the tree (HTTP 400). */
export class ZkInputError extends Error {
  override readonly name = 'ZkInputError';
}

/** The assertion messages of circuits/ownership/src/main.nr. */
const ASSERT_MESSAGES: ReadonlyMap<string, ConstraintReason> = new Map([
  ['membership', 'membership'],
  ['nullifier', 'nullifier'],
  ['zero leaf', 'zero_leaf'],
]);

/** Maps a noir_js execution error ("Circuit execution failed: <assert message>") to a reason. */
export function constraintReason(err: unknown): ConstraintReason {
  const message = err instanceof Error ? err.message : String(err);
  const m = /Circuit execution failed: (.*)$/s.exec(message);
  return ASSERT_MESSAGES.get(m?.[1]?.trim() ?? '') ?? 'other';
}
