//! [`TestPki`]: the whole test hierarchy with its demo cards.

use time::{OffsetDateTime, UtcOffset};

use crate::card::{Card, CardSpec, IssuingCa};
use crate::credential::{Authority, Credential};
use crate::demo::{demo_card_spec, DEMO_CARDS};
use crate::hierarchy::{self, ISSUING, ROOT, SERVER_CA, UNTRUSTED_ISSUING, UNTRUSTED_ROOT};
use crate::TestPkiError;

/// A test PKI shaped like the Estonian eID hierarchy:
///
/// ```text
/// EIDGATE TEST EE-GovCA (root, P-521)            EIDGATE UNTRUSTED TEST EE-GovCA
/// └── EIDGATE TEST ESTEID (issuing, P-521)       └── EIDGATE UNTRUSTED TEST ESTEID
///     └── demo cards                                 └── the wrong-issuer card
/// EIDGATE TEST SERVER CA (P-256)
/// └── localhost
/// ```
#[derive(Debug)]
pub struct TestPki {
    pub(crate) root: Authority,
    pub(crate) issuing: Authority,
    pub(crate) untrusted_root: Authority,
    pub(crate) untrusted_issuing: Authority,
    pub(crate) server_ca: Authority,
    pub(crate) server: Credential,
    pub(crate) cards: Vec<(&'static str, Card)>,
}

impl TestPki {
    /// Generates fresh keys and certificates for every CA, the server and the demo cards
    /// ([`DEMO_CARDS`]), valid from one day before `now`.
    ///
    /// # Errors
    ///
    /// Only when aws-lc-rs or rcgen fail, which does not happen with the built-in profiles.
    pub fn generate(now: OffsetDateTime) -> Result<Self, TestPkiError> {
        let now = now.to_offset(UtcOffset::UTC);
        let root = hierarchy::root(&ROOT, now)?;
        let issuing = hierarchy::subordinate(&ISSUING, &root, now)?;
        let untrusted_root = hierarchy::root(&UNTRUSTED_ROOT, now)?;
        let untrusted_issuing = hierarchy::subordinate(&UNTRUSTED_ISSUING, &untrusted_root, now)?;
        let server_ca = hierarchy::root(&SERVER_CA, now)?;
        let server = hierarchy::server(&server_ca, now)?;

        let mut pki = Self {
            root,
            issuing,
            untrusted_root,
            untrusted_issuing,
            server_ca,
            server,
            cards: Vec::new(),
        };
        for name in DEMO_CARDS {
            let spec = demo_card_spec(name, now)
                .ok_or_else(|| TestPkiError::UnknownCard { name: name.to_owned() })?;
            let card = pki.issue_card(&spec, now)?;
            pki.cards.push((name, card));
        }
        Ok(pki)
    }

    /// Issues one more card from `spec`, signed by the CA the spec names. Validity defaults are
    /// counted from `now`. The card is returned, not added to [`TestPki::cards`].
    pub fn issue_card(&self, spec: &CardSpec, now: OffsetDateTime) -> Result<Card, TestPkiError> {
        spec.issue(self.issuing_ca_for(spec.issuing_ca()), now.to_offset(UtcOffset::UTC))
    }

    /// Issues a delegated OCSP responder certificate under the chosen issuing CA: critical
    /// digitalSignature, critical extKeyUsage OCSPSigning, id-pkix-ocsp-nocheck, P-384 key,
    /// valid from one day before `now` for five years.
    pub fn issue_ocsp_responder(
        &self,
        ca: IssuingCa,
        now: OffsetDateTime,
    ) -> Result<Credential, TestPkiError> {
        let profile = match ca {
            IssuingCa::Trusted => &ISSUING,
            IssuingCa::Untrusted => &UNTRUSTED_ISSUING,
        };
        hierarchy::ocsp_responder(self.issuing_ca_for(ca), profile, now.to_offset(UtcOffset::UTC))
    }

    /// The demo card `name` (one of [`DEMO_CARDS`]); `None` for any other name.
    pub fn card(&self, name: &str) -> Option<&Card> {
        self.cards.iter().find(|(n, _)| *n == name).map(|(_, card)| card)
    }

    /// The demo cards with their names, in the order of [`DEMO_CARDS`].
    pub fn cards(&self) -> impl Iterator<Item = (&'static str, &Card)> {
        self.cards.iter().map(|(name, card)| (*name, card))
    }

    /// The trusted root, "EIDGATE TEST EE-GovCA".
    pub fn root(&self) -> &Authority {
        &self.root
    }

    /// The trusted issuing CA, "EIDGATE TEST ESTEID".
    pub fn issuing_ca(&self) -> &Authority {
        &self.issuing
    }

    /// The issuing CA for `ca`: the trusted one or the untrusted one.
    pub fn issuing_ca_for(&self, ca: IssuingCa) -> &Authority {
        match ca {
            IssuingCa::Trusted => &self.issuing,
            IssuingCa::Untrusted => &self.untrusted_issuing,
        }
    }

    /// The root the server must not trust, "EIDGATE UNTRUSTED TEST EE-GovCA".
    pub fn untrusted_root(&self) -> &Authority {
        &self.untrusted_root
    }

    /// The CA of the TLS server certificate.
    pub fn server_ca(&self) -> &Authority {
        &self.server_ca
    }

    /// The TLS server certificate (`localhost`, `127.0.0.1`, `::1`) with its key.
    pub fn server(&self) -> &Credential {
        &self.server
    }

    /// The issuing CA and the root as PEM, in that order: what nginx takes as
    /// `ssl_client_certificate`.
    pub fn trust_bundle_pem(&self) -> String {
        format!("{}{}", self.issuing.cert_pem(), self.root.cert_pem())
    }
}
