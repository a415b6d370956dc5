//! Who may sign an OCSP response for a CA, RFC 6960 §4.2.2.2.
//!
//! Three signers are accepted, and nothing else:
//! - the CA that issued the card, signing with its own key;
//! - a delegated responder: a certificate included in the response, issued and signed by that
//!   same CA, carrying id-kp-OCSPSigning, valid now (SK's AIA responders work this way);
//! - a pinned designated responder: a certificate configured by the operator and compared byte
//!   for byte, valid now and carrying id-kp-OCSPSigning (SK's commercial and demo responders are
//!   issued by another CA, so they can only be trusted by pinning).
//!
//! When a pinned responder is configured, it is the only signer accepted for that responder URL.

use time::OffsetDateTime;

use super::asn1::ResponderIdRef;
use super::error::{NotAuthorised, OcspError};
use super::request::CertIdHash;
use crate::cert::CertInfo;
use crate::signature::{self, SignatureError};

/// Which signers a response may have.
#[derive(Clone, Copy, Debug)]
pub enum ResponderAuthority<'a> {
    /// The card's CA itself, or a responder it delegated (the default for AIA responders).
    IssuerOrDelegated,
    /// Only this certificate (a designated responder pinned in the configuration).
    Pinned(&'a CertInfo),
}

/// The signer that was accepted, for logs and the outcome summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The card's CA signed the response itself.
    Issuer,
    /// A responder certificate issued by the card's CA; its subject.
    Delegated { subject: String },
    /// The pinned designated responder; its subject.
    Pinned { subject: String },
}

/// Finds the signer named by `responder_id`, checks that it may answer for `issuer`, and returns
/// it with the certificate whose key must verify the signature.
pub(crate) fn authorised_signer<'c>(
    responder_id: &ResponderIdRef<'_>,
    included: &'c [CertInfo],
    issuer: &'c CertInfo,
    authority: ResponderAuthority<'c>,
    now: OffsetDateTime,
) -> Result<(Signer, &'c CertInfo), OcspError> {
    let refuse = |why| Err(OcspError::ResponderNotAuthorised(why));

    if let ResponderAuthority::Pinned(pinned) = authority {
        if !names(responder_id, pinned) {
            return refuse(NotAuthorised::NotPinned { pinned: pinned.subject_text.clone() });
        }
        check_responder_cert(pinned, now)?;
        return Ok((Signer::Pinned { subject: pinned.subject_text.clone() }, pinned));
    }

    if names(responder_id, issuer) {
        return Ok((Signer::Issuer, issuer));
    }
    let Some(delegated) = included.iter().find(|cert| names(responder_id, cert)) else {
        return refuse(NotAuthorised::SignerNotFound);
    };
    check_delegation(delegated, issuer)?;
    check_responder_cert(delegated, now)?;
    Ok((Signer::Delegated { subject: delegated.subject_text.clone() }, delegated))
}

/// Whether the ResponderID names `cert`: byName compares DER names byte for byte, byKey compares
/// the SHA-1 of the subjectPublicKey bits (RFC 6960 §4.2.1).
fn names(responder_id: &ResponderIdRef<'_>, cert: &CertInfo) -> bool {
    match responder_id {
        ResponderIdRef::ByName(name) => *name == cert.subject.as_slice(),
        ResponderIdRef::ByKey(hash) => *hash == CertIdHash::Sha1.digest(&cert.key_bits).as_slice(),
    }
}

/// A delegated responder must be issued by the card's CA: same issuer name, and the CA's key
/// must verify the responder certificate's signature.
fn check_delegation(responder: &CertInfo, issuer: &CertInfo) -> Result<(), OcspError> {
    let not_issued = || {
        OcspError::ResponderNotAuthorised(NotAuthorised::NotIssuedByCa {
            subject: responder.subject_text.clone(),
        })
    };
    if !issuer.is_issuer_name_of(responder) {
        return Err(not_issued());
    }
    let verified = signature::verify(
        &issuer.spki,
        responder.signature_algorithm,
        &responder.tbs,
        &responder.signature,
    );
    match verified {
        Ok(()) => Ok(()),
        Err(SignatureError::Invalid) => Err(not_issued()),
        Err(other) => Err(OcspError::UnsupportedSignature(other)),
    }
}

/// Any responder certificate other than the CA's own must carry id-kp-OCSPSigning and be valid
/// at `now`.
fn check_responder_cert(cert: &CertInfo, now: OffsetDateTime) -> Result<(), OcspError> {
    let subject = cert.subject_text.clone();
    if !cert.ocsp_signing {
        return Err(OcspError::ResponderNotAuthorised(NotAuthorised::NoOcspSigning { subject }));
    }
    if !cert.is_valid_at(now) {
        let why = NotAuthorised::NotValidNow {
            subject,
            now,
            not_before: cert.not_before,
            not_after: cert.not_after,
        };
        return Err(OcspError::ResponderNotAuthorised(why));
    }
    Ok(())
}
