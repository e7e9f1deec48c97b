use anchor_lang::prelude::*;

/// Custom errors, numbered from 6000 in this order (the IDL and libs/chain RV_ERROR_CODES agree).
#[error_code]
#[derive(PartialEq, Eq)]
pub enum RvError {
    #[msg("Signer is not the authority for this instruction")]
    Unauthorized,
    #[msg("Root seq must be greater than the last accepted seq")]
    SeqNotIncreasing,
    #[msg("Root is not in the track root history")]
    UnknownRoot,
    #[msg("Nullifier already used for this track")]
    NullifierUsed,
    #[msg("Tree depth must be in 1..=32")]
    InvalidDepth,
    #[msg("Wallet already registered an identity")]
    IdentityAlreadyRegistered,
    #[msg("Arithmetic overflow")]
    ArithmeticOverflow,
}
