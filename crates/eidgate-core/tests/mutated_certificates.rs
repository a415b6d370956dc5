//! Certificates are peer input. Thousands of mutated card certificates (bytes flipped, cut,
//! inserted) go through the identity reader and the acceptance decision: nothing panics, and no
//! mutant is accepted.
//!
//! A fixed-seed generator stands in for a fuzzer, which needs a nightly toolchain this project
//! does not build with; the mutants are the same on every run.

use std::time::Duration;

use eidgate_core::identity::Identity;
use eidgate_core::{verify_card, AcceptancePolicy, TrustStore};
use eidgate_testpki::TestPki;
use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;

/// Mutants per certificate.
const MUTANTS: usize = 3_000;

/// xorshift64*: small, deterministic, good enough to pick positions and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(original: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(bytes.len());
        match rng.below(4) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            2 => bytes.truncate(at),
            _ => bytes.insert(at, rng.next() as u8),
        }
        if bytes.is_empty() {
            break;
        }
    }
    bytes
}

#[test]
fn mutated_card_certificates_never_panic_and_are_never_accepted() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let trust =
        TrustStore::new(vec![pki.issuing_ca().cert_der().clone(), pki.root().cert_der().clone()])
            .unwrap();
    let policy = AcceptancePolicy::default();
    let unix = UnixTime::since_unix_epoch(Duration::from_secs(now.unix_timestamp() as u64));

    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut read = 0;
    for name in ["valid", "e-resident"] {
        let original = pki.card(name).unwrap().credential().cert_der().to_vec();
        assert!(
            verify_card(&[CertificateDer::from(original.clone())], &trust, &policy, unix).is_ok()
        );

        for _ in 0..MUTANTS {
            let mutant = mutate(&original, &mut rng);
            if mutant == original {
                continue;
            }
            read += usize::from(Identity::from_der(&mutant).is_ok());
            let decision = verify_card(&[CertificateDer::from(mutant)], &trust, &policy, unix);
            assert!(decision.is_err(), "a mutated {name} certificate was accepted");
        }
    }
    // Many mutants still parse (a changed name, a changed date): the decision, not the parser,
    // must be what refuses them.
    assert!(read > 100, "only {read} mutants parsed; the mutation is too coarse to test anything");
}
