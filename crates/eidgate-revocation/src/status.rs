//! What a revocation source says about one certificate.

use std::fmt;

use time::OffsetDateTime;

/// The status of one certificate, as an OCSP response or a CRL states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked at `revoked_at`; `reason` is absent when the source gives none.
    Revoked { revoked_at: OffsetDateTime, reason: Option<RevocationReason> },
    /// The responder does not know the certificate (OCSP only). eidgate refuses such a card.
    Unknown,
}

/// CRLReason, RFC 5280 §5.3.1 (also used by OCSP, RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
    /// A code RFC 5280 does not define (7 or above 10).
    Other(u8),
}

impl RevocationReason {
    /// Reads the numeric code of an ENUMERATED CRLReason.
    pub fn from_code(code: u8) -> Self {
        use RevocationReason::*;
        match code {
            0 => Unspecified,
            1 => KeyCompromise,
            2 => CaCompromise,
            3 => AffiliationChanged,
            4 => Superseded,
            5 => CessationOfOperation,
            6 => CertificateHold,
            8 => RemoveFromCrl,
            9 => PrivilegeWithdrawn,
            10 => AaCompromise,
            other => Other(other),
        }
    }

    /// The numeric code, as it is encoded.
    pub fn code(self) -> u8 {
        use RevocationReason::*;
        match self {
            Unspecified => 0,
            KeyCompromise => 1,
            CaCompromise => 2,
            AffiliationChanged => 3,
            Superseded => 4,
            CessationOfOperation => 5,
            CertificateHold => 6,
            RemoveFromCrl => 8,
            PrivilegeWithdrawn => 9,
            AaCompromise => 10,
            Other(code) => code,
        }
    }

    fn name(self) -> &'static str {
        use RevocationReason::*;
        match self {
            Unspecified => "unspecified",
            KeyCompromise => "keyCompromise",
            CaCompromise => "cACompromise",
            AffiliationChanged => "affiliationChanged",
            Superseded => "superseded",
            CessationOfOperation => "cessationOfOperation",
            CertificateHold => "certificateHold",
            RemoveFromCrl => "removeFromCRL",
            PrivilegeWithdrawn => "privilegeWithdrawn",
            AaCompromise => "aACompromise",
            Other(_) => "undefined",
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl fmt::Display for CertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertStatus::Good => f.write_str("good"),
            CertStatus::Unknown => f.write_str("unknown"),
            CertStatus::Revoked { revoked_at, reason: Some(reason) } => {
                write!(f, "revoked at {revoked_at}, reason {reason}")
            }
            CertStatus::Revoked { revoked_at, reason: None } => {
                write!(f, "revoked at {revoked_at}, no reason given")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_survives_a_round_trip() {
        for code in 0..=12u8 {
            assert_eq!(RevocationReason::from_code(code).code(), code);
        }
        assert_eq!(RevocationReason::from_code(7), RevocationReason::Other(7));
        assert_eq!(RevocationReason::KeyCompromise.to_string(), "keyCompromise (1)");
    }
}
