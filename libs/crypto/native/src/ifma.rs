//! Eight Poseidon2 permutations at once with AVX-512 IFMA (52-bit limb multiply-add), for
//! batches of independent hashes (one Merkle level). Field elements are five 52-bit limbs in
//! Montgomery form with R = 2^260, one hash per 64-bit lane, reduced lazily: every value stays
//! below 2^260 and every product's operands are bounded so that Montgomery outputs stay below 2N
//! (see the bounds next to `permute8`). Only compiled for x86_64; used only when the CPU has
//! avx512f + avx512ifma (checked at run time).
use crate::field::{mul_pow2, reduce_once, INV, MODULUS};
use crate::params;
use core::arch::x86_64::*;

const MASK: u64 = (1 << 52) - 1;

/// 4 x 64-bit little-endian limbs to 5 x 52-bit limbs.
pub const fn to52(x: &[u64; 4]) -> [u64; 5] {
    [
        x[0] & MASK,
        ((x[0] >> 52) | (x[1] << 12)) & MASK,
        ((x[1] >> 40) | (x[2] << 24)) & MASK,
        ((x[2] >> 28) | (x[3] << 36)) & MASK,
        x[3] >> 16,
    ]
}

/// 5 x 52-bit limbs (normalised, value < 2^256) to 4 x 64-bit limbs.
pub const fn from52(l: &[u64; 5]) -> [u64; 4] {
    [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    ]
}

/// x * 2^260 mod r (the Montgomery form used here) in 52-bit limbs, for canonical x.
const fn mont260(x: &[u64; 4]) -> [u64; 5] {
    to52(&mul_pow2(x, 260))
}

const N52: [u64; 5] = to52(&MODULUS);
/// -r^-1 mod 2^52.
const N0P: u64 = INV & MASK;
/// 2^520 mod r (converts canonical values into the 2^260 Montgomery form).
const R2_260: [u64; 5] = to52(&mul_pow2(&[1, 0, 0, 0], 520));
/// 2^260 mod r: one, in Montgomery form (multiplying by it reduces without changing the value).
const ONE: [u64; 5] = mont260(&[1, 0, 0, 0]);

const DIAG: [[u64; 5]; 4] = {
    let mut out = [[0u64; 5]; 4];
    let mut i = 0;
    while i < 4 {
        out[i] = mont260(&params::MAT_DIAG_M_1[i]);
        i += 1;
    }
    out
};
const ERC: [[[u64; 5]; 4]; 8] = {
    let mut out = [[[0u64; 5]; 4]; 8];
    let mut r = 0;
    while r < 8 {
        let mut i = 0;
        while i < 4 {
            out[r][i] = mont260(&params::EXTERNAL_RC[r][i]);
            i += 1;
        }
        r += 1;
    }
    out
};
const IRC: [[u64; 5]; 56] = {
    let mut out = [[0u64; 5]; 56];
    let mut i = 0;
    while i < 56 {
        out[i] = mont260(&params::INTERNAL_RC[i]);
        i += 1;
    }
    out
};

/// Eight field elements, limb-major: v[k] holds limb k of each lane.
#[derive(Clone, Copy)]
struct F8([__m512i; 5]);

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn splat(c: &[u64; 5]) -> F8 {
    F8([
        _mm512_set1_epi64(c[0] as i64),
        _mm512_set1_epi64(c[1] as i64),
        _mm512_set1_epi64(c[2] as i64),
        _mm512_set1_epi64(c[3] as i64),
        _mm512_set1_epi64(c[4] as i64),
    ])
}

/// Limb-wise sum (limbs may exceed 52 bits until `norm`).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn add(a: F8, b: F8) -> F8 {
    F8([
        _mm512_add_epi64(a.0[0], b.0[0]),
        _mm512_add_epi64(a.0[1], b.0[1]),
        _mm512_add_epi64(a.0[2], b.0[2]),
        _mm512_add_epi64(a.0[3], b.0[3]),
        _mm512_add_epi64(a.0[4], b.0[4]),
    ])
}

/// Carries so that limbs 0..3 are below 2^52 (the value is unchanged).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn norm(a: F8) -> F8 {
    let m = _mm512_set1_epi64(MASK as i64);
    let mut v = a.0;
    for k in 0..4 {
        v[k + 1] = _mm512_add_epi64(v[k + 1], _mm512_srli_epi64::<52>(v[k]));
        v[k] = _mm512_and_si512(v[k], m);
    }
    F8(v)
}

/// Montgomery product a * b / 2^260 mod r (up to a multiple of r) for normalised a, b with
/// a * b < 2^519: the result is normalised and below a * b / 2^260 + r.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul(a: F8, b: F8) -> F8 {
    let z = _mm512_setzero_si512();
    let n0p = _mm512_set1_epi64(N0P as i64);
    let n = [
        _mm512_set1_epi64(N52[0] as i64),
        _mm512_set1_epi64(N52[1] as i64),
        _mm512_set1_epi64(N52[2] as i64),
        _mm512_set1_epi64(N52[3] as i64),
        _mm512_set1_epi64(N52[4] as i64),
    ];
    let mut t = [z; 11];
    for i in 0..5 {
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a.0[j], b.0[i]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a.0[j], b.0[i]);
        }
    }
    for i in 0..5 {
        let m = _mm512_madd52lo_epu64(z, t[i], n0p);
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], m, n[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], m, n[j]);
        }
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
    }
    norm(F8([t[5], t[6], t[7], t[8], t[9]]))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn pow5(x: F8) -> F8 {
    let x2 = mul(x, x);
    let x4 = mul(x2, x2);
    mul(x4, x)
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn matmul_external(s: &mut [F8; 4]) {
    let t0 = add(s[0], s[1]);
    let t1 = add(s[2], s[3]);
    let t2 = add(add(s[1], s[1]), t1);
    let t3 = add(add(s[3], s[3]), t0);
    let t1x4 = add(add(t1, t1), add(t1, t1));
    let t0x4 = add(add(t0, t0), add(t0, t0));
    let t4 = add(t1x4, t3);
    let t5 = add(t0x4, t2);
    s[0] = add(t3, t5);
    s[1] = t5;
    s[2] = add(t2, t4);
    s[3] = t4;
}

// Bounds (N = r ~ 2^253.6, 2^260 ~ 84.6 N; a product of operands below A N and B N is below
// (A B / 84.6 + 1) N): inputs < 1.1 N; the external layer multiplies bounds by at most 16, so
// full-round inputs are < 22 N and S-box outputs < 1.3 N; in partial rounds the sum is reduced
// by a product with ONE (< 64 N in, < 2 N out), so states stay < 4 N. Every value < 2^260.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn permute8(s: &mut [F8; 4]) {
    matmul_external(s);
    for r in 0..8 {
        if r == 4 {
            let d = [
                splat(&DIAG[0]),
                splat(&DIAG[1]),
                splat(&DIAG[2]),
                splat(&DIAG[3]),
            ];
            let one = splat(&ONE);
            for rc in &IRC {
                let x = pow5(norm(add(s[0], splat(rc))));
                let sum = mul(norm(add(add(x, s[1]), add(s[2], s[3]))), one);
                s[0] = add(mul(x, d[0]), sum);
                s[1] = add(mul(norm(s[1]), d[1]), sum);
                s[2] = add(mul(norm(s[2]), d[2]), sum);
                s[3] = add(mul(norm(s[3]), d[3]), sum);
            }
        }
        for i in 0..4 {
            s[i] = pow5(norm(add(s[i], splat(&ERC[r][i]))));
        }
        matmul_external(s);
    }
}

/// Up to 8 sponge hashes of `arity` (1..=3) canonical inputs each (4 x 64-bit little-endian
/// limbs, already checked < r): `inputs[lane][j]`. Returns state[0] of each lane, canonical.
/// # Safety
/// The CPU must support avx512f and avx512ifma.
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn hash8(inputs: &[[[u64; 4]; 3]; 8], arity: usize) -> [[u64; 4]; 8] {
    let mut limbs = [[[0u64; 8]; 5]; 3];
    for (lane, inp) in inputs.iter().enumerate() {
        for j in 0..arity {
            let l = to52(&inp[j]);
            for k in 0..5 {
                limbs[j][k][lane] = l[k];
            }
        }
    }
    let load = |j: usize| -> F8 {
        let l = &limbs[j];
        F8([
            _mm512_loadu_si512(l[0].as_ptr() as *const _),
            _mm512_loadu_si512(l[1].as_ptr() as *const _),
            _mm512_loadu_si512(l[2].as_ptr() as *const _),
            _mm512_loadu_si512(l[3].as_ptr() as *const _),
            _mm512_loadu_si512(l[4].as_ptr() as *const _),
        ])
    };
    let r2 = splat(&R2_260);
    let zero = splat(&[0; 5]);
    let mut s = [zero, zero, zero, splat(&mont260(&[0, arity as u64, 0, 0]))];
    for j in 0..arity {
        s[j] = mul(load(j), r2);
    }
    permute8(&mut s);
    let out = mul(norm(s[0]), splat(&[1, 0, 0, 0, 0]));
    let mut ol = [[0u64; 8]; 5];
    for k in 0..5 {
        _mm512_storeu_si512(ol[k].as_mut_ptr() as *mut _, out.0[k]);
    }
    let mut res = [[0u64; 4]; 8];
    for lane in 0..8 {
        let x = from52(&[
            ol[0][lane],
            ol[1][lane],
            ol[2][lane],
            ol[3][lane],
            ol[4][lane],
        ]);
        res[lane] = reduce_once(&x);
    }
    res
}
