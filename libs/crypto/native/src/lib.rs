//! Optional native Poseidon2 for @rv/crypto.
//!
//! The sponge is Barretenberg's (what bb.js `poseidon2Hash` and Noir std compute): rate 3,
//! capacity 1, capacity element initialised to `n << 64` for `n` inputs, inputs absorbed in
//! chunks of three (zero padded), one permutation per chunk, output `state[0]`.
//! The permutation comes from the maintained `taceo-poseidon2` crate (HorizenLabs parameters).
//! Field elements cross the boundary as 32-byte big-endian buffers; values >= r are rejected.
use ark_bn254::Fr;
use ark_ff::{BigInteger256, PrimeField, Zero};
use napi::bindgen_prelude::Buffer;
use napi::{Error, Result, Status};
use napi_derive::napi;
use taceo_poseidon2::bn254::t4::permutation_in_place;

fn read_fr(bytes: &[u8], what: usize) -> Result<Fr> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let start = 32 - 8 * (i + 1);
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[start..start + 8]);
        *limb = u64::from_be_bytes(b);
    }
    Fr::from_bigint(BigInteger256::new(limbs)).ok_or_else(|| {
        Error::new(
            Status::InvalidArg,
            format!("input {what} is not a canonical field element (>= BN254 scalar modulus)"),
        )
    })
}

fn write_fr(x: &Fr, out: &mut [u8]) {
    let limbs = x.into_bigint().0;
    for i in 0..4 {
        let start = 32 - 8 * (i + 1);
        out[start..start + 8].copy_from_slice(&limbs[i].to_be_bytes());
    }
}

#[inline]
fn sponge(inputs: &[Fr]) -> Fr {
    let mut state = [Fr::zero(); 4];
    state[3] = Fr::from_bigint(BigInteger256::new([0, inputs.len() as u64, 0, 0])).unwrap();
    if inputs.is_empty() {
        permutation_in_place(&mut state);
        return state[0];
    }
    for chunk in inputs.chunks(3) {
        for (i, x) in chunk.iter().enumerate() {
            state[i] += x;
        }
        permutation_in_place(&mut state);
    }
    state[0]
}

fn check_len(buf: &[u8], unit: usize, name: &str) -> Result<usize> {
    if buf.len() % unit != 0 {
        return Err(Error::new(
            Status::InvalidArg,
            format!("{name}: length {} is not a multiple of {unit}", buf.len()),
        ));
    }
    Ok(buf.len() / unit)
}

/// Hash of all field elements in `inputs` (concatenated 32-byte big-endian values).
#[napi]
pub fn hash(inputs: Buffer) -> Result<Buffer> {
    let n = check_len(&inputs, 32, "inputs")?;
    let mut fr = Vec::with_capacity(n);
    for i in 0..n {
        fr.push(read_fr(&inputs[i * 32..i * 32 + 32], i)?);
    }
    let mut out = vec![0u8; 32];
    write_fr(&sponge(&fr), &mut out);
    Ok(out.into())
}

/// `count` independent hashes of `arity` inputs each, laid out one after the other in `inputs`.
/// Returns `count` concatenated 32-byte outputs. Used by Merkle batch updates (arity 2).
#[napi]
pub fn hash_many(inputs: Buffer, arity: u32) -> Result<Buffer> {
    let arity = arity as usize;
    if arity == 0 || arity > 16 {
        return Err(Error::new(Status::InvalidArg, "arity must be in 1..=16".to_string()));
    }
    let count = check_len(&inputs, 32 * arity, "inputs")?;
    let mut out = vec![0u8; 32 * count];
    let mut fr = vec![Fr::zero(); arity];
    for c in 0..count {
        for (j, slot) in fr.iter_mut().enumerate() {
            let off = (c * arity + j) * 32;
            *slot = read_fr(&inputs[off..off + 32], c * arity + j)?;
        }
        write_fr(&sponge(&fr), &mut out[c * 32..c * 32 + 32]);
    }
    Ok(out.into())
}

/// Like `hash_many`, but writes the `count` outputs into `out` (32 * count bytes) instead of
/// allocating: the hot path for single hashes from JavaScript (buffers reused across calls).
#[napi]
pub fn hash_many_into(inputs: Buffer, arity: u32, mut out: Buffer) -> Result<u32> {
    let arity = arity as usize;
    if arity == 0 || arity > 16 {
        return Err(Error::new(Status::InvalidArg, "arity must be in 1..=16".to_string()));
    }
    let count = check_len(&inputs, 32 * arity, "inputs")?;
    let out: &mut [u8] = &mut out;
    if out.len() < 32 * count {
        return Err(Error::new(Status::InvalidArg, format!("out: need {} bytes, got {}", 32 * count, out.len())));
    }
    let mut fr = [Fr::zero(); 16];
    for c in 0..count {
        for j in 0..arity {
            let off = (c * arity + j) * 32;
            fr[j] = read_fr(&inputs[off..off + 32], c * arity + j)?;
        }
        write_fr(&sponge(&fr[..arity]), &mut out[c * 32..c * 32 + 32]);
    }
    Ok(count as u32)
}
