import { findRvError, IDL, rvErrorName } from '.';

describe('rainbow_veil errors', () => {
  it('maps every IDL error code to its name', () => {
    for (const e of IDL.errors) expect(rvErrorName(e.code)).toBe(e.name);
    expect(rvErrorName(0)).toBeUndefined();
    expect(rvErrorName(6007)).toBeUndefined();
  });

  it('finds the program error in failed transaction logs', () => {
    const id = IDL.address;
    expect(
      findRvError([
        `Program ${id} invoke [1]`,
        'Program log: AnchorError occurred. Error Code: NullifierUsed. Error Number: 6003.',
        `Program ${id} failed: custom program error: 0x1773`,
      ]),
    ).toBe('NullifierUsed');
    expect(
      findRvError(
        'Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1771',
      ),
    ).toBe('SeqNotIncreasing');
    // The system program's "already in use" (0x0) is not a rainbow_veil error.
    expect(
      findRvError([`Program 11111111111111111111111111111111 failed: custom program error: 0x0`]),
    ).toBeUndefined();
    expect(findRvError([])).toBeUndefined();
  });
});
