use anchor_lang::prelude::*;

/// Field order is Borsh order; libs/chain/test-vectors/events.json holds the golden bytes.
#[event]
#[derive(Debug, PartialEq, Eq)]
pub struct TrackRegistered {
    pub track_id: u64,
    pub mint: Pubkey,
    pub depth: u8,
}

#[event]
#[derive(Debug, PartialEq, Eq)]
pub struct IdentityRegistered {
    pub wallet: Pubkey,
    pub commitment: [u8; 32],
}

#[event]
#[derive(Debug, PartialEq, Eq)]
pub struct MerkleRootUpdated {
    pub track_id: u64,
    pub root: [u8; 32],
    pub leaf_count: u64,
    pub seq: u64,
}

#[event]
#[derive(Debug, PartialEq, Eq)]
pub struct OwnershipVerified {
    pub track_id: u64,
    pub scope: [u8; 32],
    pub nullifier: [u8; 32],
    pub root: [u8; 32],
    pub verifier: Pubkey,
}
