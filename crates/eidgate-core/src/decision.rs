//! The acceptance decision: is this certificate an authentication certificate of a card, issued
//! by a configured CA, valid at `now`?
//!
//! A pure function of the presented chain, the trust store, the policy and the time. The checks
//! run in the order the Web eID validators use, so that a certificate refused by them is refused
//! here for the same reason:
//!
//! 1. purpose: keyUsage present with digitalSignature (a signing certificate has only
//!    nonRepudiation), extendedKeyUsage containing clientAuth when the extension is present;
//! 2. disallowed policies: Mobile-ID certificates are not cards;
//! 3. the card's own validity period at `now`;
//! 4. the path to a configured CA, signatures included, and the CA's validity;
//! 5. the path length against `verify_depth`;
//! 6. the authentication and document policies, where the operator requires them.
//!
//! Revocation is not part of this decision: it needs the network and runs after it.

use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::identity::{dotted_oid, CertificateRole, DocumentKind, Identity};
use crate::refusal::Refusal;
use crate::trust::{unix_time, TrustStore, TrustedCa};

/// The signature algorithms a card chain may use. ESTEID2018 and its test twin sign with P-521
/// and SHA-512, ESTEID2025 with P-384, the older SK CAs with RSA. SHA-1 signatures (ESTEID-SK
/// 2011, long expired) are not accepted.
pub(crate) static CHAIN_ALGORITHMS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::aws_lc_rs::ECDSA_P256_SHA256,
    webpki::aws_lc_rs::ECDSA_P256_SHA384,
    webpki::aws_lc_rs::ECDSA_P384_SHA256,
    webpki::aws_lc_rs::ECDSA_P384_SHA384,
    webpki::aws_lc_rs::ECDSA_P521_SHA256,
    webpki::aws_lc_rs::ECDSA_P521_SHA384,
    webpki::aws_lc_rs::ECDSA_P521_SHA512,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// The NCP+ policy (ETSI EN 319 411-1) that marks an eID authentication certificate.
pub const AUTHENTICATION_POLICY: &str = "0.4.0.2042.1.2";

/// What the operator requires of a card beyond a valid path.
///
/// The default accepts any authentication certificate that chains to the trust store, refuses
/// signing and Mobile-ID certificates, and allows two CA certificates above the card (issuing CA
/// and root, as in every Estonian hierarchy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptancePolicy {
    /// Most CA certificates above the card in the path, counted like nginx's `ssl_verify_depth`.
    /// Default 2.
    pub verify_depth: usize,
    /// Require the NCP+ authentication policy `0.4.0.2042.1.2` (legacy cards: `OU=authentication`).
    /// Default false, because cards of some countries do not carry it.
    pub require_authentication_policy: bool,
    /// Require a known Estonian document policy; when the issuing CA lists explicit policies,
    /// the card's document policy must be one of them. Default false.
    pub require_document_policy: bool,
    /// Accept Mobile-ID authentication certificates as if they were cards. Default false: a
    /// Mobile-ID certificate is not proof that a card was present.
    pub dangerous_accept_mobile_id: bool,
}

impl Default for AcceptancePolicy {
    fn default() -> Self {
        Self {
            verify_depth: 2,
            require_authentication_policy: false,
            require_document_policy: false,
            dangerous_accept_mobile_id: false,
        }
    }
}

/// A card certificate that passed every check of [`verify_card`].
///
/// Only [`verify_card`] builds one, so an identity taken from it has been verified.
#[derive(Clone, Debug)]
pub struct VerifiedCard {
    identity: Identity,
    certificate: CertificateDer<'static>,
    issuer: CertificateDer<'static>,
    chain_depth: usize,
}

impl VerifiedCard {
    /// The verified holder's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The card's certificate (DER).
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.certificate
    }

    /// The certificate of the CA that issued the card, for revocation checks.
    pub fn issuer(&self) -> &CertificateDer<'static> {
        &self.issuer
    }

    /// Number of CA certificates above the card in the verified path.
    pub fn chain_depth(&self) -> usize {
        self.chain_depth
    }
}

/// Decides whether `chain` (card certificate first, then anything else the client sent) is an
/// acceptable card at `now`. See the module documentation for the order of the checks.
///
/// # Errors
///
/// A [`Refusal`] naming the first check that failed, with the facts behind it.
pub fn verify_card(
    chain: &[CertificateDer<'_>],
    trust: &TrustStore,
    policy: &AcceptancePolicy,
    now: UnixTime,
) -> Result<VerifiedCard, Refusal> {
    let leaf_der = chain.first().ok_or(Refusal::NoCertificate)?;
    let (_, leaf) = X509Certificate::from_der(leaf_der)
        .map_err(|e| Refusal::Malformed { detail: e.to_string() })?;
    let identity = Identity::from_certificate(&leaf)
        .map_err(|e| Refusal::Malformed { detail: e.to_string() })?;

    check_purpose(&leaf, &identity)?;
    check_disallowed_policies(&identity, policy)?;
    check_validity(&identity, now)?;
    let (issuer, chain_depth) = check_path(leaf_der, &leaf, &chain[1..], trust, now)?;
    check_depth(chain_depth, policy)?;
    check_required_policies(&identity, trust.ca_by_subject(leaf.issuer().as_raw()), policy)?;

    Ok(VerifiedCard { identity, certificate: leaf_der.clone().into_owned(), issuer, chain_depth })
}

/// RFC 5280 §4.2.1.3 and §4.2.1.12, as the Web eID validators apply them: keyUsage must be
/// present with digitalSignature; extendedKeyUsage, where present, must contain clientAuth (some
/// national cards, Luxembourg's and Finland's among them, carry no EKU at all).
fn check_purpose(leaf: &X509Certificate<'_>, identity: &Identity) -> Result<(), Refusal> {
    let Ok(Some(key_usage)) = leaf.key_usage() else {
        return Err(Refusal::MissingKeyUsage);
    };
    let usage = key_usage.value;
    if !usage.digital_signature() {
        if usage.non_repudiation() {
            return Err(Refusal::SigningCertificate);
        }
        return Err(Refusal::WrongKeyUsage { key_usage: usage.to_string() });
    }
    if identity.role == CertificateRole::Signing {
        return Err(Refusal::SigningCertificate);
    }

    match leaf.extended_key_usage() {
        Ok(None) => Ok(()),
        Ok(Some(eku)) if eku.value.client_auth || eku.value.any => Ok(()),
        Ok(Some(_)) | Err(_) => Err(Refusal::WrongExtendedKeyUsage),
    }
}

fn check_disallowed_policies(
    identity: &Identity,
    policy: &AcceptancePolicy,
) -> Result<(), Refusal> {
    if identity.document == DocumentKind::MobileId && !policy.dangerous_accept_mobile_id {
        return Err(Refusal::MobileId);
    }
    Ok(())
}

/// RFC 5280 §4.1.2.5, with `now` passed in. Checked before the path so that an expired card is
/// reported as expired whoever issued it.
fn check_validity(identity: &Identity, now: UnixTime) -> Result<(), Refusal> {
    let not_before = unix_time(identity.not_before.unix_timestamp());
    let not_after = unix_time(identity.not_after.unix_timestamp());
    if now < not_before {
        return Err(Refusal::NotYetValid { not_before: identity.not_before, now: at(now) });
    }
    if now > not_after {
        return Err(Refusal::Expired { not_after: identity.not_after, now: at(now) });
    }
    Ok(())
}

/// RFC 5280 §6.1 path validation by webpki, from the card to a configured CA: signatures,
/// validity of any CA the client sent, basic constraints and EKU chaining. Every configured CA
/// is an anchor (see the trust module), so the line from the anchor up to its root, whose
/// signatures were verified when the store was built, is checked here for what depends on the
/// time and on the path: validity, extended key usage and path length.
/// Returns the issuing CA's certificate and the number of CA certificates above the card.
fn check_path(
    leaf_der: &CertificateDer<'_>,
    leaf: &X509Certificate<'_>,
    sent_by_client: &[CertificateDer<'_>],
    trust: &TrustStore,
    now: UnixTime,
) -> Result<(CertificateDer<'static>, usize), Refusal> {
    // Cards send their certificate alone; only such a path is remembered (see the trust store).
    let digest = sent_by_client.is_empty().then(|| certificate_digest(leaf_der));
    if let Some(anchor) = digest.and_then(|d| trust.verified_issuer_of(&d)) {
        let depth = check_line(trust, anchor, 0, now)?;
        return Ok((trust.cas()[anchor].der.clone(), depth));
    }

    let end_entity = EndEntityCert::try_from(leaf_der)
        .map_err(|e| Refusal::Malformed { detail: format!("{e:?}") })?;
    let path = end_entity
        .verify_for_usage(
            CHAIN_ALGORITHMS,
            trust.anchors(),
            sent_by_client,
            now,
            KeyUsage::client_auth(),
            None,
            None,
        )
        .map_err(|e| path_refusal(e, leaf))?;

    let sent = path.intermediate_certificates().count();
    let anchor = trust
        .index_of_anchor(path.anchor())
        .ok_or_else(|| Refusal::InvalidPath { detail: "path ended at an unknown anchor".into() })?;
    let depth = check_line(trust, anchor, sent, now)?;
    if let Some(digest) = digest {
        trust.remember_verified(digest, anchor);
    }

    let issuer = match path.intermediate_certificates().next() {
        Some(cert) => cert.der().into_owned(),
        None => trust.cas()[anchor].der.clone(),
    };
    Ok((issuer, depth))
}

/// Checks the configured CA at `anchor` and the line above it, with `sent` CAs from the client
/// below it; returns the number of CA certificates above the card.
fn check_line(
    trust: &TrustStore,
    anchor: usize,
    sent: usize,
    now: UnixTime,
) -> Result<usize, Refusal> {
    let mut depth = sent;
    for (level, ca) in trust.line_up_from(anchor).enumerate() {
        check_configured_ca(ca, sent + level, now)?;
        depth += 1;
    }
    Ok(depth)
}

fn certificate_digest(der: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// A configured CA in a card's path, with `below` CA certificates between it and the card:
/// RFC 5280 §4.1.2.5 validity, §4.2.1.9 pathLenConstraint, and EKU chaining as webpki applies it
/// to the CAs it sees.
fn check_configured_ca(ca: &TrustedCa, below: usize, now: UnixTime) -> Result<(), Refusal> {
    if !ca.is_valid_at(now) {
        return Err(Refusal::IssuerNotValid { issuer: ca.subject.clone(), now: at(now) });
    }
    if !ca.allows_client_auth {
        return Err(Refusal::WrongExtendedKeyUsage);
    }
    if ca.path_len.is_some_and(|max| below > max as usize) {
        let detail = format!("{} allows at most {:?} CAs below it", ca.subject, ca.path_len);
        return Err(Refusal::InvalidPath { detail });
    }
    Ok(())
}

fn check_depth(depth: usize, policy: &AcceptancePolicy) -> Result<(), Refusal> {
    if depth > policy.verify_depth {
        return Err(Refusal::ChainTooDeep { depth, max: policy.verify_depth });
    }
    Ok(())
}

/// The allow-list advice of the RIA nginx guide: an authentication policy and a document policy
/// of the issuing CA's generation. A CA that lists anyPolicy (ESTEID2025 does) cannot tell its
/// generation from its policies; then any known document policy is taken.
fn check_required_policies(
    identity: &Identity,
    issuing_ca: Option<&TrustedCa>,
    policy: &AcceptancePolicy,
) -> Result<(), Refusal> {
    if policy.require_authentication_policy && identity.role != CertificateRole::Authentication {
        return Err(Refusal::MissingAuthenticationPolicy);
    }
    if !policy.require_document_policy {
        return Ok(());
    }

    let Some(document_policy) = identity.document_policy_oid() else {
        return Err(Refusal::MissingDocumentPolicy);
    };
    let listed_by_issuer = issuing_ca
        .and_then(|ca| ca.policies.as_ref())
        .is_none_or(|listed| listed.iter().any(|oid| oid == document_policy));
    if !listed_by_issuer {
        return Err(Refusal::DocumentPolicyNotOfIssuer { policy: document_policy.to_string() });
    }
    Ok(())
}

/// Maps webpki's answer to a refusal. The card's own validity was checked before, so an expiry
/// reported here belongs to a CA in the path.
fn path_refusal(error: webpki::Error, leaf: &X509Certificate<'_>) -> Refusal {
    use webpki::Error as E;
    match error {
        E::UnknownIssuer => Refusal::UntrustedIssuer { issuer: leaf.issuer().to_string() },
        E::CertExpired { .. } | E::CertNotValidYet { .. } => {
            Refusal::IssuerNotValid { issuer: leaf.issuer().to_string(), now: None }
        }
        E::InvalidSignatureForPublicKey => Refusal::BadSignature,
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Refusal::UnsupportedAlgorithm {
            algorithm: dotted_oid(&leaf.signature_algorithm.algorithm).unwrap_or_default(),
        },
        E::RequiredEkuNotFoundContext(_) => Refusal::WrongExtendedKeyUsage,
        E::CaUsedAsEndEntity => Refusal::CaCertificate,
        other => Refusal::InvalidPath { detail: format!("{other:?}") },
    }
}

fn at(now: UnixTime) -> Option<time::OffsetDateTime> {
    let seconds = i64::try_from(now.as_secs()).ok()?;
    time::OffsetDateTime::from_unix_timestamp(seconds).ok()
}
