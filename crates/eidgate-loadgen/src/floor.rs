//! `crypto-floor`: what the public-key operations of one mTLS handshake cost on this machine,
//! timed with aws-lc-rs, the library eidgate uses. No server can do a full handshake for less CPU
//! than the sum; the comparison script reports how close each server gets.
//!
//! A TLS 1.3 full handshake with an ID card, on the server: one X25519 key generation and
//! agreement, one signature with the server key (P-256 in the demo), one verification of the
//! card's CertificateVerify (P-384, or RSA-PSS for an RSA 2048 card), and the card's own
//! signature by the issuing CA (P-521 with SHA-512, as ESTEID2018 signs). The issuing CA's
//! signature by the root never changes and need not be verified per login; OpenSSL (and so nginx)
//! verifies it every time, so a second floor counts it too. A warm revocation cache adds nothing;
//! hashing, HKDF and record encryption are left out (microseconds next to these).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_lc_rs::agreement::{self, EphemeralPrivateKey, X25519};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair, RsaKeyPair};
use serde::Serialize;

use crate::args::FloorArgs;

/// Size of a TLS 1.3 CertificateVerify input: 64 spaces, the context string, a zero and a
/// SHA-384 transcript hash (RFC 8446 §4.4.3).
const SIGNED_MESSAGE_BYTES: usize = 64 + 33 + 1 + 48;

/// One timed operation.
#[derive(Debug, Serialize)]
pub struct Operation {
    pub name: &'static str,
    pub micros: f64,
}

/// One handshake's floor: the operations it is made of and their sum.
#[derive(Debug, Serialize)]
pub struct Floor {
    pub name: &'static str,
    pub parts: Vec<&'static str>,
    pub micros: f64,
    /// Handshakes per second one core could do if it did nothing else.
    pub per_core_per_sec: f64,
}

#[derive(Debug, Serialize)]
struct FloorReport {
    operations: Vec<Operation>,
    floors: Vec<Floor>,
}

/// Times every operation for `--millis` each, prints the table and the floors.
pub fn main(args: &FloorArgs) -> Result<ExitCode, String> {
    let budget = Duration::from_millis(args.millis.clamp(10, 60_000));
    let operations = time_operations(budget).map_err(|e| format!("aws-lc-rs: {e}"))?;
    let floors = floors(&operations);

    println!("{:<40} {:>12} {:>12}", "operation (aws-lc-rs)", "µs", "per s");
    for op in &operations {
        println!("{:<40} {:>12.1} {:>12.0}", op.name, op.micros, 1e6 / op.micros);
    }
    println!();
    println!("{:<40} {:>12} {:>12}", "handshake floor (one core)", "µs", "per s");
    for floor in &floors {
        println!("{:<40} {:>12.1} {:>12.0}", floor.name, floor.micros, floor.per_core_per_sec);
    }

    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&FloorReport { operations, floors })
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("--json {}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn time_operations(budget: Duration) -> Result<Vec<Operation>, aws_lc_rs::error::Unspecified> {
    let rng = SystemRandom::new();
    let message = [0x20u8; SIGNED_MESSAGE_BYTES];
    let mut ops = Vec::new();

    let curves: [(&str, &str, &'static EcdsaSigningAlgorithm, _); 3] = [
        (
            "ECDSA P-256 sign",
            "ECDSA P-256 verify",
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &signature::ECDSA_P256_SHA256_ASN1,
        ),
        (
            "ECDSA P-384 sign",
            "ECDSA P-384 verify",
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            &signature::ECDSA_P384_SHA384_ASN1,
        ),
        (
            "ECDSA P-521 sign (SHA-512)",
            "ECDSA P-521 verify (SHA-512)",
            &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            &signature::ECDSA_P521_SHA512_ASN1,
        ),
    ];
    for (sign_name, verify_name, signing, verifying) in curves {
        let key = EcdsaKeyPair::generate(signing)?;
        let public = key.public_key().as_ref().to_vec();
        let sig = key.sign(&rng, &message)?;
        ops.push(timed(sign_name, budget, || key.sign(&rng, &message).map(drop))?);
        let verifier = signature::UnparsedPublicKey::new(verifying, &public);
        ops.push(timed(verify_name, budget, || verifier.verify(&message, sig.as_ref()))?);
    }

    let rsa = RsaKeyPair::generate(KeySize::Rsa2048)?;
    let mut rsa_sig = vec![0u8; rsa.public_modulus_len()];
    rsa.sign(&signature::RSA_PSS_SHA256, &rng, &message, &mut rsa_sig)?;
    let mut scratch = rsa_sig.clone();
    ops.push(timed("RSA-2048 PSS sign", budget, || {
        rsa.sign(&signature::RSA_PSS_SHA256, &rng, &message, &mut scratch)
    })?);
    let rsa_public = rsa.public_key().as_ref().to_vec();
    let rsa_verifier =
        signature::UnparsedPublicKey::new(&signature::RSA_PSS_2048_8192_SHA256, &rsa_public);
    ops.push(timed("RSA-2048 PSS verify", budget, || rsa_verifier.verify(&message, &rsa_sig))?);

    let peer = EphemeralPrivateKey::generate(&X25519, &rng)?.compute_public_key()?;
    let peer = peer.as_ref().to_vec();
    ops.push(timed("X25519 key generation + agreement", budget, || {
        let mine = EphemeralPrivateKey::generate(&X25519, &rng)?;
        let _public = mine.compute_public_key()?;
        let peer_key = agreement::UnparsedPublicKey::new(&X25519, &peer);
        agreement::agree_ephemeral(mine, peer_key, aws_lc_rs::error::Unspecified, |_| Ok(()))
    })?);
    Ok(ops)
}

/// Runs `op` repeatedly for `budget` and returns its mean time.
fn timed<E>(
    name: &'static str,
    budget: Duration,
    mut op: impl FnMut() -> Result<(), E>,
) -> Result<Operation, E> {
    for _ in 0..5 {
        op()?;
    }
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        op()?;
        runs += 1;
    }
    Ok(Operation { name, micros: started.elapsed().as_secs_f64() * 1e6 / runs.max(1) as f64 })
}

/// The handshakes the comparison runs, as sums of timed operations.
fn floors(ops: &[Operation]) -> Vec<Floor> {
    const KX: &str = "X25519 key generation + agreement";
    const P256_SIGN: &str = "ECDSA P-256 sign";
    const P256_VERIFY: &str = "ECDSA P-256 verify";
    const P384_SIGN: &str = "ECDSA P-384 sign";
    const P384_VERIFY: &str = "ECDSA P-384 verify";
    const P521_VERIFY: &str = "ECDSA P-521 verify (SHA-512)";
    const RSA_VERIFY: &str = "RSA-2048 PSS verify";
    let recipes: [(&'static str, Vec<&'static str>); 4] = [
        ("server, P-384 card", vec![KX, P256_SIGN, P384_VERIFY, P521_VERIFY]),
        ("server, RSA 2048 card", vec![KX, P256_SIGN, RSA_VERIFY, P521_VERIFY]),
        (
            "server, P-384 card, CA signature too",
            vec![KX, P256_SIGN, P384_VERIFY, P521_VERIFY, P521_VERIFY],
        ),
        ("client (load generator), P-384 card", vec![KX, P384_SIGN, P256_VERIFY, P256_VERIFY]),
    ];
    recipes.into_iter().map(|(name, parts)| floor(name, parts, ops)).collect()
}

fn floor(name: &'static str, parts: Vec<&'static str>, ops: &[Operation]) -> Floor {
    let cost = |part: &str| ops.iter().find(|op| op.name == part).map_or(0.0, |op| op.micros);
    let micros: f64 = parts.iter().map(|part| cost(part)).sum();
    Floor { name, parts, micros, per_core_per_sec: 1e6 / micros.max(f64::EPSILON) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_runs_and_every_floor_is_the_sum_of_its_parts() {
        let ops = time_operations(Duration::from_millis(5)).unwrap();
        assert_eq!(ops.len(), 9);
        assert!(ops.iter().all(|op| op.micros > 0.0), "{ops:?}");
        for floor in floors(&ops) {
            let parts: f64 = floor
                .parts
                .iter()
                .map(|p| ops.iter().find(|op| op.name == *p).expect("timed part").micros)
                .sum();
            assert!((floor.micros - parts).abs() < 1e-6, "{}", floor.name);
        }
    }
}
