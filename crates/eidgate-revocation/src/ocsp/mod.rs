//! OCSP, pure: building requests and verifying responses, with the time passed in.
//!
//! Nothing here does I/O or reads the clock; the nonce's random bytes are passed in too. The
//! HTTP exchange lives in [`crate::client`].

mod asn1;
mod authority;
mod error;
mod request;
mod verify;

pub use authority::{ResponderAuthority, Signer};
pub use error::{NotAuthorised, OcspError, ResponderStatus};
pub use request::{encode_request, CertId, CertIdHash, EncodedRequest, RequestError, NONCE_LEN};
pub use verify::{verify_response, Expectation, Freshness, VerifiedResponse};

pub(crate) use asn1::enumerated_code;
