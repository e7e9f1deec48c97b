/** One account as the local chain stores it. `owner` is base58. */
export interface AccountState {
  lamports: bigint;
  data: Uint8Array;
  owner: string;
  executable: boolean;
  rentEpoch: bigint;
}

export interface CompiledIx {
  programIdIndex: number;
  accounts: number[];
  data: Uint8Array;
}

export interface ParsedMessage {
  header: {
    numRequiredSignatures: number;
    numReadonlySignedAccounts: number;
    numReadonlyUnsignedAccounts: number;
  };
  accountKeys: string[];
  accountKeyBytes: Uint8Array[];
  recentBlockhash: string;
  instructions: CompiledIx[];
  versioned: boolean;
  writable: boolean[];
  signer: boolean[];
  /** Serialized message (what the signatures sign). */
  bytes: Uint8Array;
}

export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  amount: bigint;
  decimals: number;
}

/** Solana TransactionError: bincode bytes (Yellowstone `TransactionError.err`) and JSON-RPC form. */
export interface TxError {
  bincode: Uint8Array;
  json: unknown;
}

/** An executed transaction (success or failure) as recorded in its slot. */
export interface TxRecord {
  signature: string;
  signatures: Uint8Array[];
  raw: Uint8Array;
  message: ParsedMessage;
  slot: number;
  /** Position within its slot. */
  index: number;
  blockTime: number;
  err: TxError | null;
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  logs: string[];
  computeUnits: bigint;
}

/** One stored account write (what Geyser notifies). `state` null = account removed. */
export interface AccountWrite {
  pubkey: string;
  state: AccountState | null;
  slot: number;
  writeVersion: bigint;
  txnSignature: Uint8Array | undefined;
}

export type SlotLifecycle = 'open' | 'processed' | 'confirmed' | 'finalized' | 'dead';
