export type { DecodeError, DecodeErrorCode, DecodeResult } from './result';
export type { RainbowVeilIdl, RvErrorName } from './program';
export {
  IDL,
  RAINBOW_VEIL_PROGRAM_ID,
  RV_ERROR_CODES,
  ROOT_HISTORY_LEN,
  MIN_DEPTH,
  MAX_DEPTH,
} from './program';
export type {
  RvEvent,
  RvEventName,
  TrackRegistered,
  IdentityRegistered,
  MerkleRootUpdated,
  OwnershipVerified,
  LogEvent,
  LogDecodeError,
  LogEventsResult,
} from './events';
export {
  RV_EVENT_NAMES,
  encodeEvent,
  eventLogLine,
  decodeEventData,
  decodeProgramDataLog,
  decodeEventsFromLogs,
} from './events';
export type {
  RvInstruction,
  RvInstructionName,
  InitializeArgs,
  RegisterTrackArgs,
  RegisterIdentityArgs,
  UpdateRootArgs,
  RecordVerificationArgs,
} from './instructions';
export {
  encodeInstructionData,
  decodeInstruction,
  instructionAccountNames,
  initializeIx,
  registerTrackIx,
  registerIdentityIx,
  updateRootIx,
  recordVerificationIx,
} from './instructions';
export { configPda, trackPda, identityPda, nullifierPda } from './pda';
export type { TokenAccount, TokenAccountState } from './token-account';
export {
  TOKEN_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_ACCOUNT_LEN,
  TOKEN_ACCOUNT_MINT_OFFSET,
  TOKEN_ACCOUNT_OWNER_OFFSET,
  decodeTokenAccount,
  encodeTokenAccount,
} from './token-account';
export type {
  RvAccount,
  RvAccountName,
  ConfigAccount,
  IdentityAccount,
  NullifierRecordAccount,
  TrackAccount,
} from './accounts';
export { rvAccountSize, encodeRvAccount, decodeRvAccount, trackHasRoot } from './accounts';
export { rvErrorName, findRvError } from './errors';
export { parseKeypairJson, serializeKeypairJson } from './keypair';
