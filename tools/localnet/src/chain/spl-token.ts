import { PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';
import { TOKEN_ACCOUNT_LEN, TOKEN_PROGRAM_ID } from '@rv/chain';

/** SPL Token instruction builders (the few the scenarios and tests need; no @solana/spl-token here). */
export const MINT_LEN = 82;

const u64le = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};

export function createAccountIx(
  payer: PublicKey,
  account: PublicKey,
  lamports: bigint,
  space: number,
): TransactionInstruction {
  return SystemProgram.createAccount({
    fromPubkey: payer,
    newAccountPubkey: account,
    lamports: Number(lamports),
    space,
    programId: TOKEN_PROGRAM_ID,
  });
}

/** InitializeMint2 (no freeze authority). */
export function initializeMintIx(
  mint: PublicKey,
  decimals: number,
  mintAuthority: PublicKey,
): TransactionInstruction {
  const data = Buffer.alloc(35);
  data[0] = 20;
  data[1] = decimals;
  mintAuthority.toBuffer().copy(data, 2);
  data[34] = 0;
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [{ pubkey: mint, isSigner: false, isWritable: true }],
    data,
  });
}

/** InitializeAccount3. */
export function initializeAccountIx(
  account: PublicKey,
  mint: PublicKey,
  owner: PublicKey,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: account, isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([18]), owner.toBuffer()]),
  });
}

/** MintTo (7), Transfer (3) and Burn (8): two writable accounts, a signing authority, a u64 amount. */
function amountIx(
  opcode: number,
  first: PublicKey,
  second: PublicKey,
  authority: PublicKey,
  amount: bigint,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: first, isSigner: false, isWritable: true },
      { pubkey: second, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: true, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([opcode]), u64le(amount)]),
  });
}

export const mintToIx = (mint: PublicKey, dest: PublicKey, authority: PublicKey, amount: bigint) =>
  amountIx(7, mint, dest, authority, amount);

export const transferIx = (source: PublicKey, dest: PublicKey, owner: PublicKey, amount: bigint) =>
  amountIx(3, source, dest, owner, amount);

export const burnIx = (account: PublicKey, mint: PublicKey, owner: PublicKey, amount: bigint) =>
  amountIx(8, account, mint, owner, amount);

export { TOKEN_ACCOUNT_LEN, TOKEN_PROGRAM_ID };
