//! Optional native Poseidon2 for @rv/crypto.
//!
//! The sponge is Barretenberg's (what bb.js `poseidon2Hash` and Noir std compute): rate 3,
//! capacity 1, capacity element initialised to `n << 64` for `n` inputs, inputs absorbed in
//! chunks of three (zero padded), one permutation per chunk, output `state[0]`.
//! Single hashes use the permutation of the maintained `taceo-poseidon2` crate (HorizenLabs
//! parameters, ark-ff assembly field arithmetic). Batches of hashes with 1 to 3 inputs (Merkle
//! levels) run eight permutations at once with AVX-512 IFMA where the CPU has it (`ifma.rs`,
//! checked against taceo-poseidon2 in the tests below), else one by one like single hashes.
//! Field elements cross the boundary as 32-byte big-endian buffers; values >= r are rejected.
mod field;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod params;

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

fn read_limbs(bytes: &[u8], what: usize) -> Result<[u64; 4]> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let start = 32 - 8 * (i + 1);
        *limb = u64::from_be_bytes(bytes[start..start + 8].try_into().unwrap());
    }
    if !field::is_canonical(&limbs) {
        return Err(Error::new(
            Status::InvalidArg,
            format!("input {what} is not a canonical field element (>= BN254 scalar modulus)"),
        ));
    }
    Ok(limbs)
}

fn write_limbs(limbs: &[u64; 4], out: &mut [u8]) {
    for i in 0..4 {
        let start = 32 - 8 * (i + 1);
        out[start..start + 8].copy_from_slice(&limbs[i].to_be_bytes());
    }
}

/// Whether this CPU runs the 8-lane AVX-512 IFMA permutation.
fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `count = inputs.len() / (32 * arity)` hashes into `out`, eight at a time with IFMA when
/// `simd` (arity 1..=3), else one by one. Inputs are validated before anything is hashed.
fn hash_batch(inputs: &[u8], arity: usize, out: &mut [u8], simd: bool) -> Result<()> {
    let count = inputs.len() / (32 * arity);
    #[cfg(target_arch = "x86_64")]
    if simd && (1..=3).contains(&arity) {
        let mut lanes = [[[0u64; 4]; 3]; 8];
        for group in (0..count).step_by(8) {
            let n = (count - group).min(8);
            for (lane, l) in lanes.iter_mut().enumerate().take(n) {
                for (j, x) in l.iter_mut().enumerate().take(arity) {
                    let k = (group + lane) * arity + j;
                    *x = read_limbs(&inputs[k * 32..k * 32 + 32], k)?;
                }
            }
            // SAFETY: `simd` is only true when simd_available() found avx512f and avx512ifma.
            let hashed = unsafe { ifma::hash8(&lanes, arity) };
            for (lane, h) in hashed.iter().enumerate().take(n) {
                let c = group + lane;
                write_limbs(h, &mut out[c * 32..c * 32 + 32]);
            }
        }
        return Ok(());
    }
    let _ = simd;
    let mut fr = [Fr::zero(); 16];
    for c in 0..count {
        for j in 0..arity {
            let off = (c * arity + j) * 32;
            fr[j] = read_fr(&inputs[off..off + 32], c * arity + j)?;
        }
        write_fr(&sponge(&fr[..arity]), &mut out[c * 32..c * 32 + 32]);
    }
    Ok(())
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
        return Err(Error::new(
            Status::InvalidArg,
            "arity must be in 1..=16".to_string(),
        ));
    }
    let count = check_len(&inputs, 32 * arity, "inputs")?;
    let mut out = vec![0u8; 32 * count];
    // One hash alone is faster one by one (eight lanes take ~1.4x one scalar permutation).
    hash_batch(&inputs, arity, &mut out, count > 1 && simd_available())?;
    Ok(out.into())
}

/// Like `hash_many`, but writes the `count` outputs into `out` (32 * count bytes) instead of
/// allocating: the hot path from JavaScript (buffers reused across calls). `scalar: true`
/// forces the one-by-one path (to compare it with the SIMD one in tests and benchmarks).
#[napi]
pub fn hash_many_into(
    inputs: Buffer,
    arity: u32,
    mut out: Buffer,
    scalar: Option<bool>,
) -> Result<u32> {
    let arity = arity as usize;
    if arity == 0 || arity > 16 {
        return Err(Error::new(
            Status::InvalidArg,
            "arity must be in 1..=16".to_string(),
        ));
    }
    let count = check_len(&inputs, 32 * arity, "inputs")?;
    let out: &mut [u8] = &mut out;
    if out.len() < 32 * count {
        return Err(Error::new(
            Status::InvalidArg,
            format!("out: need {} bytes, got {}", 32 * count, out.len()),
        ));
    }
    let simd = count > 1 && scalar != Some(true) && simd_available();
    hash_batch(&inputs, arity, out, simd)?;
    Ok(count as u32)
}

/// Which batch implementation this CPU runs: "avx512ifma" (8 lanes) or "scalar".
#[napi]
pub fn batch_backend() -> String {
    if simd_available() {
        "avx512ifma"
    } else {
        "scalar"
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;

    fn random_inputs(rng: &mut impl ark_std::rand::RngCore, n: usize) -> Vec<u8> {
        let r_minus_1 = -Fr::from(1u64);
        let mut buf = vec![0u8; 32 * n];
        for i in 0..n {
            let x = match i % 7 {
                0 => Fr::zero(),
                1 => r_minus_1,
                _ => Fr::rand(rng),
            };
            write_fr(&x, &mut buf[i * 32..i * 32 + 32]);
        }
        buf
    }

    #[test]
    fn simd_batch_equals_scalar_sponge() {
        if !simd_available() {
            eprintln!("no avx512ifma on this CPU: SIMD path not tested");
            return;
        }
        let mut rng = ark_std::test_rng();
        for arity in 1..=3usize {
            for count in [1usize, 7, 8, 9, 33] {
                let inputs = random_inputs(&mut rng, count * arity);
                let mut simd = vec![0u8; 32 * count];
                let mut scalar = vec![0u8; 32 * count];
                hash_batch(&inputs, arity, &mut simd, true).unwrap();
                hash_batch(&inputs, arity, &mut scalar, false).unwrap();
                assert_eq!(simd, scalar, "arity {arity}, count {count}");
            }
        }
    }

    #[test]
    fn both_paths_reject_non_canonical_inputs() {
        let mut inputs = vec![0u8; 64 * 9];
        inputs[64 * 8 + 32..].copy_from_slice(&[0xff; 32]);
        let mut out = vec![0u8; 32 * 9];
        for simd in [false, simd_available()] {
            let err = hash_batch(&inputs, 2, &mut out, simd).unwrap_err();
            assert!(
                err.reason
                    .contains("input 17 is not a canonical field element"),
                "{}",
                err.reason
            );
        }
    }

    fn hex32(h: &str) -> [u8; 32] {
        let h = h.trim_start_matches("0x");
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// The shared vectors (bb.js poseidon2Hash outputs) through both batch paths.
    #[test]
    fn shared_vectors_match() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../circuits/test-vectors/poseidon2.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut checked = 0;
        for case in text.split("\"inputs\"").skip(1) {
            let (inputs, output) = case.split_once("\"output\"").unwrap();
            let hexes = |s: &str| -> Vec<[u8; 32]> {
                s.split('"')
                    .filter(|t| t.starts_with("0x"))
                    .map(hex32)
                    .collect()
            };
            let ins: Vec<u8> = hexes(inputs).concat();
            let expected = hexes(output)[0];
            let arity = ins.len() / 32;
            for simd in [false, simd_available()] {
                let mut out = vec![0u8; 32];
                hash_batch(&ins, arity, &mut out, simd).unwrap();
                assert_eq!(out, expected, "arity {arity}, simd {simd}");
            }
            checked += 1;
        }
        assert!(checked >= 14, "only {checked} vectors found");
    }
}
