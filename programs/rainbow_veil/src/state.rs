//! Accounts and the pure rules on them (root ring, seq order, depth, seeds). Everything here is
//! plain Rust over plain structs, covered by `cargo test` on the host.
use anchor_lang::prelude::*;

use crate::errors::RvError;

pub const CONFIG_SEED: &[u8] = b"config";
pub const TRACK_SEED: &[u8] = b"track";
pub const IDENTITY_SEED: &[u8] = b"identity";
pub const NULLIFIER_SEED: &[u8] = b"nullifier";

/// Roots kept per track; `record_verification` accepts any of them.
pub const ROOT_HISTORY: usize = 64;
pub const MIN_DEPTH: u8 = 1;
pub const MAX_DEPTH: u8 = 32;

/// Seeds are ["track", track_id LE u64].
pub fn track_id_seed(track_id: u64) -> [u8; 8] {
    track_id.to_le_bytes()
}

pub fn config_address(program_id: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[CONFIG_SEED], program_id)
}
pub fn track_address(program_id: &Pubkey, track_id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[TRACK_SEED, &track_id_seed(track_id)], program_id)
}
pub fn identity_address(program_id: &Pubkey, wallet: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[IDENTITY_SEED, wallet.as_ref()], program_id)
}
pub fn nullifier_address(program_id: &Pubkey, track_id: u64, nullifier: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[NULLIFIER_SEED, &track_id_seed(track_id), nullifier], program_id)
}

pub fn check_depth(depth: u8) -> std::result::Result<(), RvError> {
    if (MIN_DEPTH..=MAX_DEPTH).contains(&depth) {
        Ok(())
    } else {
        Err(RvError::InvalidDepth)
    }
}

#[account]
#[derive(InitSpace)]
pub struct Config {
    /// Signs register_track and update_root.
    pub root_authority: Pubkey,
    /// Signs record_verification.
    pub verifier: Pubkey,
    pub bump: u8,
}

#[account]
#[derive(InitSpace)]
pub struct Identity {
    pub wallet: Pubkey,
    /// C = H(s), BN254 field element, big-endian.
    pub commitment: [u8; 32],
    pub bump: u8,
}

impl Identity {
    /// A fresh `init_if_needed` account is zeroed; a signer's key is never the all-zero key.
    pub fn is_registered(&self) -> bool {
        self.wallet != Pubkey::default()
    }
}

#[account]
#[derive(InitSpace)]
pub struct NullifierRecord {
    pub track_id: u64,
    pub scope: [u8; 32],
    pub nullifier: [u8; 32],
    pub root: [u8; 32],
    pub verifier: Pubkey,
    pub slot: u64,
    pub bump: u8,
}

impl NullifierRecord {
    /// A fresh `init_if_needed` account is zeroed; the verifier (a signer) is never the all-zero key.
    pub fn is_used(&self) -> bool {
        self.verifier != Pubkey::default()
    }
}

/// A track and the ring of its last ROOT_HISTORY roots. Zero-copy: the 2 KiB ring never goes
/// through the BPF stack.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Track {
    pub track_id: u64,
    pub leaf_count: u64,
    /// seq of the newest root; 0 before the first root (so seqs start at 1).
    pub last_seq: u64,
    pub mint: Pubkey,
    pub roots: [[u8; 32]; ROOT_HISTORY],
    /// Slot the next root is written to.
    pub root_head: u8,
    /// Number of roots held, at most ROOT_HISTORY.
    pub root_count: u8,
    pub depth: u8,
    pub bump: u8,
    pub padding: [u8; 4],
}

impl Track {
    pub const LEN: usize = std::mem::size_of::<Track>();

    pub fn init(
        &mut self,
        track_id: u64,
        mint: Pubkey,
        depth: u8,
        bump: u8,
    ) -> std::result::Result<(), RvError> {
        check_depth(depth)?;
        self.track_id = track_id;
        self.mint = mint;
        self.depth = depth;
        self.bump = bump;
        self.leaf_count = 0;
        self.last_seq = 0;
        self.root_head = 0;
        self.root_count = 0;
        self.roots = [[0u8; 32]; ROOT_HISTORY];
        Ok(())
    }

    /// Accepts a new root if seq > last_seq (last_seq is 0 on a new track, so the first seq is >= 1).
    /// The oldest root is dropped once the ring holds ROOT_HISTORY roots.
    pub fn accept_root(
        &mut self,
        root: [u8; 32],
        leaf_count: u64,
        seq: u64,
    ) -> std::result::Result<(), RvError> {
        if seq <= self.last_seq {
            return Err(RvError::SeqNotIncreasing);
        }
        let head = usize::from(self.root_head);
        let slot = self.roots.get_mut(head).ok_or(RvError::ArithmeticOverflow)?;
        *slot = root;
        let next = head.checked_add(1).ok_or(RvError::ArithmeticOverflow)? % ROOT_HISTORY;
        self.root_head = u8::try_from(next).map_err(|_| RvError::ArithmeticOverflow)?;
        if usize::from(self.root_count) < ROOT_HISTORY {
            self.root_count = self
                .root_count
                .checked_add(1)
                .ok_or(RvError::ArithmeticOverflow)?;
        }
        self.last_seq = seq;
        self.leaf_count = leaf_count;
        Ok(())
    }

    /// Whether `root` is one of the roots held (slots beyond root_count are never consulted).
    pub fn has_root(&self, root: &[u8; 32]) -> bool {
        let n = usize::from(self.root_count).min(ROOT_HISTORY);
        self.roots[..n].iter().any(|r| r == root)
    }

    /// The newest root, if any.
    pub fn latest_root(&self) -> Option<[u8; 32]> {
        if self.root_count == 0 {
            return None;
        }
        let idx = (usize::from(self.root_head) + ROOT_HISTORY - 1) % ROOT_HISTORY;
        Some(self.roots[idx])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    fn root(n: u32) -> [u8; 32] {
        let mut r = [0u8; 32];
        r[28..].copy_from_slice(&n.to_be_bytes());
        r[0] = 0x11;
        r
    }

    fn track() -> Track {
        let mut t = Track::zeroed();
        t.init(7, Pubkey::new_unique(), 20, 255).unwrap();
        t
    }

    #[test]
    fn depth_must_be_1_to_32() {
        assert_eq!(check_depth(0), Err(RvError::InvalidDepth));
        assert_eq!(check_depth(1), Ok(()));
        assert_eq!(check_depth(32), Ok(()));
        assert_eq!(check_depth(33), Err(RvError::InvalidDepth));
        let mut t = Track::zeroed();
        assert_eq!(t.init(1, Pubkey::new_unique(), 0, 1), Err(RvError::InvalidDepth));
    }

    #[test]
    fn a_new_track_knows_no_root_not_even_zero() {
        let t = track();
        assert!(!t.has_root(&[0u8; 32]));
        assert_eq!(t.latest_root(), None);
    }

    #[test]
    fn seq_starts_above_zero_and_must_increase() {
        let mut t = track();
        assert_eq!(t.accept_root(root(1), 10, 0), Err(RvError::SeqNotIncreasing));
        assert_eq!(t.root_count, 0);
        t.accept_root(root(1), 10, 1).unwrap();
        assert_eq!(t.accept_root(root(2), 11, 1), Err(RvError::SeqNotIncreasing));
        t.accept_root(root(2), 11, 5).unwrap();
        assert_eq!(t.accept_root(root(3), 12, 4), Err(RvError::SeqNotIncreasing));
        assert_eq!(t.accept_root(root(3), 12, 5), Err(RvError::SeqNotIncreasing));
        t.accept_root(root(3), 12, 6).unwrap();
        assert_eq!(
            (t.last_seq, t.leaf_count, t.latest_root()),
            (6, 12, Some(root(3)))
        );
        // A rejected update leaves the track untouched.
        let before = (t.last_seq, t.leaf_count, t.root_head, t.root_count, t.roots);
        assert!(t.accept_root(root(9), 99, 6).is_err());
        assert_eq!(
            before,
            (t.last_seq, t.leaf_count, t.root_head, t.root_count, t.roots)
        );
    }

    #[test]
    fn ring_keeps_exactly_the_last_64_roots() {
        let mut t = track();
        for i in 1..=(ROOT_HISTORY as u32 + 10) {
            t.accept_root(root(i), u64::from(i), u64::from(i)).unwrap();
        }
        assert_eq!(usize::from(t.root_count), ROOT_HISTORY);
        for i in 1..=10 {
            assert!(!t.has_root(&root(i)), "root {i} should have been evicted");
        }
        for i in 11..=(ROOT_HISTORY as u32 + 10) {
            assert!(t.has_root(&root(i)), "root {i} should be held");
        }
        assert_eq!(t.latest_root(), Some(root(ROOT_HISTORY as u32 + 10)));
        assert_eq!(t.last_seq, ROOT_HISTORY as u64 + 10);
    }

    #[test]
    fn ring_wraps_at_the_boundary() {
        let mut t = track();
        for i in 1..=ROOT_HISTORY as u32 {
            t.accept_root(root(i), 0, u64::from(i)).unwrap();
        }
        assert_eq!(t.root_head, 0);
        assert!(t.has_root(&root(1)));
        t.accept_root(root(1000), 0, 1000).unwrap();
        assert!(!t.has_root(&root(1)));
        assert!(t.has_root(&root(2)));
        assert_eq!(t.root_head, 1);
    }

    #[test]
    fn seq_can_reach_u64_max_and_then_nothing_more() {
        let mut t = track();
        t.accept_root(root(1), 0, u64::MAX - 1).unwrap();
        t.accept_root(root(2), 0, u64::MAX).unwrap();
        assert_eq!(
            t.accept_root(root(3), 0, u64::MAX),
            Err(RvError::SeqNotIncreasing)
        );
    }

    #[test]
    fn a_corrupt_head_is_an_error_not_a_panic() {
        let mut t = track();
        t.root_head = 200;
        assert_eq!(t.accept_root(root(1), 0, 1), Err(RvError::ArithmeticOverflow));
    }

    #[test]
    fn nullifier_seeds_separate_tracks_and_nullifiers() {
        let id = crate::ID;
        let n = [7u8; 32];
        let a = nullifier_address(&id, 1, &n).0;
        assert_ne!(a, nullifier_address(&id, 2, &n).0);
        assert_ne!(a, nullifier_address(&id, 1, &[8u8; 32]).0);
        assert_eq!(a, nullifier_address(&id, 1, &n).0);
        // The track id is little endian: 1 and 1 << 56 must differ.
        assert_ne!(track_address(&id, 1).0, track_address(&id, 1 << 56).0);
        assert_eq!(track_id_seed(0x0102), [2, 1, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn fresh_records_are_unused_and_set_ones_are_used() {
        let mut r = NullifierRecord {
            track_id: 0,
            scope: [0; 32],
            nullifier: [0; 32],
            root: [0; 32],
            verifier: Pubkey::default(),
            slot: 0,
            bump: 0,
        };
        assert!(!r.is_used());
        r.verifier = Pubkey::new_unique();
        assert!(r.is_used());
        let mut i = Identity {
            wallet: Pubkey::default(),
            commitment: [0; 32],
            bump: 0,
        };
        assert!(!i.is_registered());
        i.wallet = Pubkey::new_unique();
        assert!(i.is_registered());
    }
}
