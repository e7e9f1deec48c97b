//! rainbow_veil: the on-chain registry the Rainbow Veil back end listens to.
//!
//! Tracks (an access-token mint + Merkle depth), identity commitments, a ring of the last 64
//! Merkle roots per track published by the root authority, and nullifier records written by the
//! verifier after it checked a zero-knowledge ownership proof off chain.
#![allow(unexpected_cfgs)]
#![allow(deprecated)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod state;

use errors::RvError;
use events::*;
use state::*;

declare_id!("2d29RMkztd4tXsvjoPiV81XxVJhXKQ3Qo4rHseDfhgHi");

#[program]
pub mod rainbow_veil {
    use super::*;

    /// Creates the singleton config. Run it in the deploy transaction (anyone may call it first).
    pub fn initialize(ctx: Context<Initialize>, root_authority: Pubkey, verifier: Pubkey) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.root_authority = root_authority;
        config.verifier = verifier;
        config.bump = ctx.bumps.config;
        Ok(())
    }

    pub fn register_track(ctx: Context<RegisterTrack>, track_id: u64, mint: Pubkey, depth: u8) -> Result<()> {
        let mut track = ctx.accounts.track.load_init()?;
        track.init(track_id, mint, depth, ctx.bumps.track)?;
        emit!(TrackRegistered {
            track_id,
            mint,
            depth
        });
        Ok(())
    }

    pub fn register_identity(ctx: Context<RegisterIdentity>, commitment: [u8; 32]) -> Result<()> {
        let identity = &mut ctx.accounts.identity;
        require!(!identity.is_registered(), RvError::IdentityAlreadyRegistered);
        let wallet = ctx.accounts.wallet.key();
        identity.wallet = wallet;
        identity.commitment = commitment;
        identity.bump = ctx.bumps.identity;
        emit!(IdentityRegistered { wallet, commitment });
        Ok(())
    }

    pub fn update_root(
        ctx: Context<UpdateRoot>,
        track_id: u64,
        root: [u8; 32],
        leaf_count: u64,
        seq: u64,
    ) -> Result<()> {
        let mut track = ctx.accounts.track.load_mut()?;
        track.accept_root(root, leaf_count, seq)?;
        emit!(MerkleRootUpdated {
            track_id,
            root,
            leaf_count,
            seq
        });
        Ok(())
    }

    pub fn record_verification(
        ctx: Context<RecordVerification>,
        track_id: u64,
        scope: [u8; 32],
        nullifier: [u8; 32],
        root: [u8; 32],
    ) -> Result<()> {
        require!(ctx.accounts.track.load()?.has_root(&root), RvError::UnknownRoot);
        let record = &mut ctx.accounts.nullifier_record;
        require!(!record.is_used(), RvError::NullifierUsed);
        let verifier = ctx.accounts.verifier.key();
        record.track_id = track_id;
        record.scope = scope;
        record.nullifier = nullifier;
        record.root = root;
        record.verifier = verifier;
        record.slot = Clock::get()?.slot;
        record.bump = ctx.bumps.nullifier_record;
        emit!(OwnershipVerified {
            track_id,
            scope,
            nullifier,
            root,
            verifier
        });
        Ok(())
    }
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = payer, space = 8 + Config::INIT_SPACE, seeds = [b"config"], bump)]
    pub config: Account<'info, Config>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
#[instruction(track_id: u64)]
pub struct RegisterTrack<'info> {
    #[account(seeds = [b"config"], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        init,
        payer = payer,
        space = 8 + Track::LEN,
        seeds = [b"track", track_id.to_le_bytes().as_ref()],
        bump
    )]
    pub track: AccountLoader<'info, Track>,
    #[account(constraint = authority.key() == config.root_authority @ RvError::Unauthorized)]
    pub authority: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct RegisterIdentity<'info> {
    #[account(
        init_if_needed,
        payer = wallet,
        space = 8 + Identity::INIT_SPACE,
        seeds = [b"identity", wallet.key().as_ref()],
        bump
    )]
    pub identity: Account<'info, Identity>,
    #[account(mut)]
    pub wallet: Signer<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
#[instruction(track_id: u64)]
pub struct UpdateRoot<'info> {
    #[account(seeds = [b"config"], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [b"track", track_id.to_le_bytes().as_ref()], bump = track.load()?.bump)]
    pub track: AccountLoader<'info, Track>,
    #[account(constraint = authority.key() == config.root_authority @ RvError::Unauthorized)]
    pub authority: Signer<'info>,
}

#[derive(Accounts)]
#[instruction(track_id: u64, scope: [u8; 32], nullifier: [u8; 32])]
pub struct RecordVerification<'info> {
    #[account(seeds = [b"config"], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(seeds = [b"track", track_id.to_le_bytes().as_ref()], bump = track.load()?.bump)]
    pub track: AccountLoader<'info, Track>,
    #[account(
        init_if_needed,
        payer = verifier,
        space = 8 + NullifierRecord::INIT_SPACE,
        seeds = [b"nullifier", track_id.to_le_bytes().as_ref(), nullifier.as_ref()],
        bump
    )]
    pub nullifier_record: Account<'info, NullifierRecord>,
    #[account(mut, constraint = verifier.key() == config.verifier @ RvError::Unauthorized)]
    pub verifier: Signer<'info>,
    pub system_program: Program<'info, System>,
}
