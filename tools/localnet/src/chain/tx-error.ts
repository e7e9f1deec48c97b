import type { TxError } from './types';

// Variant indices of solana_sdk::transaction::TransactionError / InstructionError (bincode u32 LE).
const TX_ERR_INSTRUCTION_ERROR = 8;
const IX_ERR_CUSTOM = 25;

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** TransactionError::InstructionError(index, InstructionError::Custom(code)). */
export function customError(ixIndex: number, code: number): TxError {
  return {
    bincode: Uint8Array.from([
      ...u32(TX_ERR_INSTRUCTION_ERROR),
      ixIndex,
      ...u32(IX_ERR_CUSTOM),
      ...u32(code),
    ]),
    json: { InstructionError: [ixIndex, { Custom: code }] },
  };
}

// Names of InstructionError variants before Custom (indices 0..24), as JSON-RPC prints them.
const IX_FIELDLESS = [
  'GenericError',
  'InvalidArgument',
  'InvalidInstructionData',
  'InvalidAccountData',
  'AccountDataTooSmall',
  'InsufficientFunds',
  'IncorrectProgramId',
  'MissingRequiredSignature',
  'AccountAlreadyInitialized',
  'UninitializedAccount',
  'UnbalancedInstruction',
  'ModifiedProgramId',
  'ExternalAccountLamportSpend',
  'ExternalAccountDataModified',
  'ReadonlyLamportChange',
  'ReadonlyDataModified',
  'DuplicateAccountIndex',
  'ExecutableModified',
  'RentEpochModified',
  'NotEnoughAccountKeys',
  'AccountDataSizeChanged',
  'AccountNotExecutable',
  'AccountBorrowFailed',
  'AccountBorrowOutstanding',
  'DuplicateAccountOutOfSync',
];

/** TransactionError::InstructionError(index, <fieldless variant>); litesvm numbers fieldless variants without Custom. */
export function fieldlessInstructionError(ixIndex: number, litesvmVariant: number): TxError {
  const variant = litesvmVariant >= IX_ERR_CUSTOM ? litesvmVariant + 1 : litesvmVariant;
  const name = IX_FIELDLESS[litesvmVariant] ?? `InstructionError${variant}`;
  return {
    bincode: Uint8Array.from([...u32(TX_ERR_INSTRUCTION_ERROR), ixIndex, ...u32(variant)]),
    json: { InstructionError: [ixIndex, name] },
  };
}

const TX_FIELDLESS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
];

/** A fieldless TransactionError (litesvm numbering, which skips InstructionError at index 8). */
export function fieldlessTransactionError(litesvmVariant: number): TxError {
  const variant = litesvmVariant >= TX_ERR_INSTRUCTION_ERROR ? litesvmVariant + 1 : litesvmVariant;
  const name = TX_FIELDLESS[litesvmVariant] ?? `TransactionError${variant}`;
  return { bincode: Uint8Array.from(u32(variant)), json: name };
}

/** Converts a litesvm FailedTransactionMetadata.err() value; `ixOffset` maps a sub-transaction's index back. */
export function fromLiteSvmError(err: unknown, ixOffset: number): TxError {
  if (typeof err === 'number') return fieldlessTransactionError(err);
  const name = (err as object | null)?.constructor?.name ?? '';
  const withAccount = err as { accountIndex?: number; index?: number };
  if (name.includes('InsufficientFundsForRent') && typeof withAccount.accountIndex === 'number') {
    return {
      bincode: Uint8Array.from([...u32(31), withAccount.accountIndex]),
      json: { InsufficientFundsForRent: { account_index: withAccount.accountIndex } },
    };
  }
  if (name.includes('DuplicateInstruction') && typeof withAccount.index === 'number') {
    return {
      bincode: Uint8Array.from([...u32(30), withAccount.index]),
      json: { DuplicateInstruction: withAccount.index },
    };
  }
  const e = err as { index?: number; err?: () => unknown };
  if (typeof e.index === 'number' && typeof e.err === 'function') {
    const inner = e.err();
    const index = e.index + ixOffset;
    if (typeof inner === 'number') return fieldlessInstructionError(index, inner);
    const custom = inner as { code?: number };
    if (typeof custom.code === 'number') return customError(index, custom.code);
    return fieldlessInstructionError(index, 0);
  }
  return fieldlessInstructionError(ixOffset, 0);
}
