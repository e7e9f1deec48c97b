import { constraintReason } from './errors';

describe('constraintReason', () => {
  // noir_js reports a failed `assert(cond, "msg")` as "Circuit execution failed: msg".
  it.each([
    ['Circuit execution failed: membership', 'membership'],
    ['Circuit execution failed: nullifier', 'nullifier'],
    ['Circuit execution failed: zero leaf', 'zero_leaf'],
    ['Circuit execution failed: Cannot satisfy constraint', 'other'],
    ['Circuit execution failed: constructor', 'other'],
    ['something else', 'other'],
  ])('%s -> %s', (message, reason) => {
    expect(constraintReason(new Error(message))).toBe(reason);
  });
});
