//! Compile-time helpers for the BN254 scalar field: the modulus, Montgomery constants and a
//! const Montgomery product (R = 2^256), used to derive the SIMD permutation's constants. The
//! scalar hashing path uses ark-ff (assembly Montgomery multiplication) instead.

/// r, the BN254 scalar field modulus (little-endian u64 limbs).
pub const MODULUS: [u64; 4] = [
    0x43e1f593f0000001,
    0x2833e84879b97091,
    0xb85045b68181585d,
    0x30644e72e131a029,
];

/// -r^-1 mod 2^64 (Newton iteration on the lowest limb).
pub const INV: u64 = {
    let mut inv = 1u64;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(MODULUS[0].wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
};

const fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = acc as u128 + (a as u128) * (b as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// Whether little-endian limbs `x` are below r.
#[inline]
pub const fn is_canonical(x: &[u64; 4]) -> bool {
    let (_, b) = sbb(x[0], MODULUS[0], 0);
    let (_, b) = sbb(x[1], MODULUS[1], b);
    let (_, b) = sbb(x[2], MODULUS[2], b);
    let (_, b) = sbb(x[3], MODULUS[3], b);
    b == 1
}

/// x mod r for x < 2r, without data-dependent branches.
#[inline]
pub const fn reduce_once(t: &[u64; 4]) -> [u64; 4] {
    let (d0, b) = sbb(t[0], MODULUS[0], 0);
    let (d1, b) = sbb(t[1], MODULUS[1], b);
    let (d2, b) = sbb(t[2], MODULUS[2], b);
    let (d3, b) = sbb(t[3], MODULUS[3], b);
    let keep = 0u64.wrapping_sub(b); // all ones when t < r
    [
        (t[0] & keep) | (d0 & !keep),
        (t[1] & keep) | (d1 & !keep),
        (t[2] & keep) | (d2 & !keep),
        (t[3] & keep) | (d3 & !keep),
    ]
}

/// 2x mod r for x in [0, r) (r < 2^254, so the sum cannot overflow).
pub const fn double(x: &[u64; 4]) -> [u64; 4] {
    let (s0, c) = adc(x[0], x[0], 0);
    let (s1, c) = adc(x[1], x[1], c);
    let (s2, c) = adc(x[2], x[2], c);
    let (s3, _) = adc(x[3], x[3], c);
    reduce_once(&[s0, s1, s2, s3])
}

/// 2^512 mod r: 1 doubled 512 times.
const R2: [u64; 4] = {
    let mut x = [1u64, 0, 0, 0];
    let mut i = 0;
    while i < 512 {
        x = double(&x);
        i += 1;
    }
    x
};

/// a * b / 2^256 mod r for a, b in [0, r) (CIOS, no-carry variant: r's top limb < 2^63 - 1).
const fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut t = [0u64; 4];
    let mut i = 0;
    while i < 4 {
        let (t0, mut ca) = mac(t[0], a[0], b[i], 0);
        let m = t0.wrapping_mul(INV);
        let (_, mut cc) = mac(t0, m, MODULUS[0], 0);
        let mut j = 1;
        while j < 4 {
            let (tj, c1) = mac(t[j], a[j], b[i], ca);
            ca = c1;
            let (tj1, c2) = mac(tj, m, MODULUS[j], cc);
            cc = c2;
            t[j - 1] = tj1;
            j += 1;
        }
        t[3] = cc + ca;
        i += 1;
    }
    reduce_once(&t)
}

/// x * 2^k mod r for canonical x (k >= 256: x * 2^256 by a Montgomery product with 2^512 mod r,
/// then doublings).
pub const fn mul_pow2(x: &[u64; 4], k: u32) -> [u64; 4] {
    assert!(k >= 256);
    let mut y = mont_mul(x, &R2);
    let mut i = 256;
    while i < k {
        y = double(&y);
        i += 1;
    }
    y
}
