//! Why a card was refused.
//!
//! Every refusal has its own variant, carrying the facts for the log. What a visitor is shown is
//! coarser: [`Refusal::kind`] groups the variants into what a person can act on.

use time::OffsetDateTime;

/// The reason a certificate was not accepted as a card.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    #[error("no client certificate was presented")]
    NoCertificate,
    #[error("the certificate cannot be read: {detail}")]
    Malformed { detail: String },
    #[error("the certificate has no keyUsage extension")]
    MissingKeyUsage,
    #[error("the certificate is a signing certificate (nonRepudiation), not for authentication")]
    SigningCertificate,
    #[error("keyUsage lacks digitalSignature ({key_usage})")]
    WrongKeyUsage { key_usage: String },
    #[error("extendedKeyUsage does not allow client authentication")]
    WrongExtendedKeyUsage,
    #[error("the certificate is a Mobile-ID certificate, not a card")]
    MobileId,
    #[error("the certificate is not valid before {not_before}")]
    NotYetValid { not_before: OffsetDateTime, now: Option<OffsetDateTime> },
    #[error("the certificate expired at {not_after}")]
    Expired { not_after: OffsetDateTime, now: Option<OffsetDateTime> },
    #[error("the issuer {issuer} is not a trusted CA")]
    UntrustedIssuer { issuer: String },
    #[error("the CA {issuer} is outside its validity period")]
    IssuerNotValid { issuer: String, now: Option<OffsetDateTime> },
    #[error("the CA's signature on the certificate does not verify")]
    BadSignature,
    #[error("the signature algorithm {algorithm} is not accepted")]
    UnsupportedAlgorithm { algorithm: String },
    #[error("a CA certificate was presented as a card")]
    CaCertificate,
    #[error("the path has {depth} CA certificates; at most {max} are allowed")]
    ChainTooDeep { depth: usize, max: usize },
    #[error("the path to a trusted CA is invalid: {detail}")]
    InvalidPath { detail: String },
    #[error("the authentication policy 0.4.0.2042.1.2 is required and missing")]
    MissingAuthenticationPolicy,
    #[error("a document policy is required and missing")]
    MissingDocumentPolicy,
    #[error("document policy {policy} is not one the issuing CA issues")]
    DocumentPolicyNotOfIssuer { policy: String },
    /// The revocation check answered that the card is revoked. `code` tells the failures of
    /// the revocation check apart (`revoked`, `revocation-unknown`, `ocsp-timeout`, ...);
    /// `detail` carries the facts (time, reason code, responder).
    #[error("revocation check: {detail}")]
    Revocation { code: String, detail: String, kind: RevocationFailure },
}

/// How a revocation check failed, as far as the visitor is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationFailure {
    /// The card is revoked.
    Revoked,
    /// The responder does not know the card; refused like a revoked card.
    Unknown,
    /// The status could not be established (responder down, bad answer, stale CRL).
    Unavailable,
}

/// What a person can act on, for the refusal page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// No card was presented: insert it, check the reader and the browser extension.
    NoCard,
    /// The card's certificate has expired or is not valid yet: renew the certificates.
    Expired,
    /// The card comes from a CA this service does not accept.
    UntrustedIssuer,
    /// The certificate is of the wrong kind (signing, Mobile-ID, not a card).
    WrongKind,
    /// The certificate is damaged or forged.
    Invalid,
    /// The card's certificate is revoked (or unknown to its CA).
    Revoked,
    /// The card's revocation status could not be checked just now.
    CheckUnavailable,
}

impl Refusal {
    /// A short stable token for logs and JSON answers, e.g. `expired`, `untrusted-issuer`.
    pub fn code(&self) -> &str {
        match self {
            Self::Revocation { code, .. } => code,
            Self::NoCertificate => "no-certificate",
            Self::Malformed { .. } => "malformed",
            Self::MissingKeyUsage => "missing-key-usage",
            Self::SigningCertificate => "signing-certificate",
            Self::WrongKeyUsage { .. } => "wrong-key-usage",
            Self::WrongExtendedKeyUsage => "wrong-extended-key-usage",
            Self::MobileId => "mobile-id",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::Expired { .. } => "expired",
            Self::UntrustedIssuer { .. } => "untrusted-issuer",
            Self::IssuerNotValid { .. } => "issuer-not-valid",
            Self::BadSignature => "bad-signature",
            Self::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            Self::CaCertificate => "ca-certificate",
            Self::ChainTooDeep { .. } => "chain-too-deep",
            Self::InvalidPath { .. } => "invalid-path",
            Self::MissingAuthenticationPolicy => "missing-authentication-policy",
            Self::MissingDocumentPolicy => "missing-document-policy",
            Self::DocumentPolicyNotOfIssuer { .. } => "document-policy-not-of-issuer",
        }
    }

    /// The group a visitor is told about.
    pub fn kind(&self) -> RefusalKind {
        match self {
            Self::NoCertificate => RefusalKind::NoCard,
            Self::NotYetValid { .. } | Self::Expired { .. } => RefusalKind::Expired,
            Self::UntrustedIssuer { .. } | Self::IssuerNotValid { .. } => {
                RefusalKind::UntrustedIssuer
            }
            Self::SigningCertificate
            | Self::WrongKeyUsage { .. }
            | Self::MissingKeyUsage
            | Self::WrongExtendedKeyUsage
            | Self::MobileId
            | Self::CaCertificate
            | Self::MissingAuthenticationPolicy
            | Self::MissingDocumentPolicy
            | Self::DocumentPolicyNotOfIssuer { .. } => RefusalKind::WrongKind,
            Self::Malformed { .. }
            | Self::BadSignature
            | Self::UnsupportedAlgorithm { .. }
            | Self::ChainTooDeep { .. }
            | Self::InvalidPath { .. } => RefusalKind::Invalid,
            Self::Revocation { kind: RevocationFailure::Unavailable, .. } => {
                RefusalKind::CheckUnavailable
            }
            Self::Revocation { .. } => RefusalKind::Revoked,
        }
    }
}
