//! Which document a certificate belongs to, from its certificatePolicies and, on legacy
//! ESTEID-SK cards, from the subject's `O=`.
//!
//! The table is eid-domain §2.3. ESTEID2018 and ESTEID2025 cards have one document policy each,
//! matched exactly: the issuing CAs list further OIDs in those arcs whose meaning is not
//! published, and those stay unknown. Legacy policies are matched as arcs, because legacy leaves
//! carry sub-arcs (`1.3.6.1.4.1.10015.1.1.3.3` on ESTEID-SK 2011 cards, `…1.3.3` on Mobile-ID).

use serde::Serialize;

use DocumentKind::{
    DigiId, DiplomaticId, EResidentDigiId, EuCitizenIdCard, EuFamilyMemberResidenceCard, IdCard,
    LongTermResidencePermit, MobileId, TemporaryResidencePermit,
};
use Generation::{Esteid2018, Esteid2025, LegacySk};
use Hierarchy::{Production, Test};

/// The kind of document the certificate belongs to, from the policy OIDs (or the legacy `O=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DocumentKind {
    IdCard,
    EuCitizenIdCard,
    DigiId,
    EResidentDigiId,
    LongTermResidencePermit,
    TemporaryResidencePermit,
    EuFamilyMemberResidenceCard,
    DiplomaticId,
    MobileId,
    /// Not an Estonian document, or one whose policy is not known.
    Unknown,
}

/// Which Estonian CA generation issued the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Generation {
    /// ESTEID2025 (Zetes), document policies under `1.3.6.1.4.1.51361.2` / `51455.2`.
    Esteid2025,
    /// ESTEID2018 (SK), document policies under `1.3.6.1.4.1.51361.1` / `51455.1`.
    Esteid2018,
    /// ESTEID-SK 2011 / 2015, policies under `1.3.6.1.4.1.10015`.
    LegacySk,
    Unknown,
}

/// Production or test hierarchy, from the policy arc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hierarchy {
    Production,
    Test,
    Unknown,
}

/// How a table OID matches a certificate's policy OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    /// Only the OID itself.
    Exact,
    /// The OID and every OID under it (`1.3.6.1.4.1.10015.1.3` covers `…1.3.1`).
    Arc,
}

/// One row of the document policy table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentPolicy {
    /// Dotted policy OID.
    pub oid: &'static str,
    pub scope: PolicyScope,
    pub document: DocumentKind,
    pub generation: Generation,
    pub hierarchy: Hierarchy,
}

impl DocumentPolicy {
    /// True when the dotted `oid` is this row's OID, or under it for an [`PolicyScope::Arc`].
    pub fn matches(&self, oid: &str) -> bool {
        match self.scope {
            PolicyScope::Exact => oid == self.oid,
            PolicyScope::Arc => oid
                .strip_prefix(self.oid)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.')),
        }
    }
}

const fn exact(
    oid: &'static str,
    document: DocumentKind,
    generation: Generation,
    hierarchy: Hierarchy,
) -> DocumentPolicy {
    DocumentPolicy { oid, scope: PolicyScope::Exact, document, generation, hierarchy }
}

const fn arc(oid: &'static str, document: DocumentKind, hierarchy: Hierarchy) -> DocumentPolicy {
    DocumentPolicy { oid, scope: PolicyScope::Arc, document, generation: LegacySk, hierarchy }
}

/// Every document policy this reader knows, from eid-domain §2.3.
///
/// No two rows match the same OID. Known gaps, stated plainly:
/// - ESTEID2025 has no digi-ID (resident) row: no OID is published for it.
/// - The legacy test arc `1.3.6.1.4.1.10015.3` is mapped by analogy with the production arc
///   (`.3.1` ID-card, `.3.2` digi-ID, `.3.3` Mobile-ID). The test data only confirms `.3.1` and
///   `.3.1.1` on test ID-cards; SK's test CA also puts `.3.1.1` on its test OCSP responder, so
///   on legacy certificates the subject's `O=` takes precedence (see
///   [`Identity::document`](super::Identity::document)).
#[rustfmt::skip]
pub const DOCUMENT_POLICIES: &[DocumentPolicy] = &[
    // ESTEID2018, production.
    exact("1.3.6.1.4.1.51361.1.1.1",        IdCard,                       Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.2",        EuCitizenIdCard,              Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.3",        DigiId,                       Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.4",        EResidentDigiId,              Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.5",        LongTermResidencePermit,      Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.6",        TemporaryResidencePermit,     Esteid2018, Production),
    exact("1.3.6.1.4.1.51361.1.1.7",        EuFamilyMemberResidenceCard,  Esteid2018, Production),
    exact("1.3.6.1.4.1.51455.1.1.1",        DiplomaticId,                 Esteid2018, Production),
    // ESTEID2018, SK test hierarchy.
    exact("1.3.6.1.4.1.51361.1.2.1",        IdCard,                       Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.2",        EuCitizenIdCard,              Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.3",        DigiId,                       Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.4",        EResidentDigiId,              Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.5",        LongTermResidencePermit,      Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.6",        TemporaryResidencePermit,     Esteid2018, Test),
    exact("1.3.6.1.4.1.51361.1.2.7",        EuFamilyMemberResidenceCard,  Esteid2018, Test),
    exact("1.3.6.1.4.1.51455.1.2.1",        DiplomaticId,                 Esteid2018, Test),
    // ESTEID2025, production.
    exact("1.3.6.1.4.1.51361.2.1.1",        IdCard,                       Esteid2025, Production),
    exact("1.3.6.1.4.1.51361.2.1.2",        EuCitizenIdCard,              Esteid2025, Production),
    exact("1.3.6.1.4.1.51361.2.1.3",        LongTermResidencePermit,      Esteid2025, Production),
    exact("1.3.6.1.4.1.51361.2.1.4",        TemporaryResidencePermit,     Esteid2025, Production),
    exact("1.3.6.1.4.1.51361.2.1.5",        EuFamilyMemberResidenceCard,  Esteid2025, Production),
    exact("1.3.6.1.4.1.51361.2.1.6",        EResidentDigiId,              Esteid2025, Production),
    exact("1.3.6.1.4.1.51455.2.1.1",        DiplomaticId,                 Esteid2025, Production),
    // ESTEID2025, Zetes test hierarchy: the production OID under 2.999.
    exact("2.999.1.3.6.1.4.1.51361.2.1.1",  IdCard,                       Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51361.2.1.2",  EuCitizenIdCard,              Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51361.2.1.3",  LongTermResidencePermit,      Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51361.2.1.4",  TemporaryResidencePermit,     Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51361.2.1.5",  EuFamilyMemberResidenceCard,  Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51361.2.1.6",  EResidentDigiId,              Esteid2025, Test),
    exact("2.999.1.3.6.1.4.1.51455.2.1.1",  DiplomaticId,                 Esteid2025, Test),
    // ESTEID-SK 2011 / 2015, production.
    arc("1.3.6.1.4.1.10015.1.1",            IdCard,                       Production),
    arc("1.3.6.1.4.1.10015.1.2",            DigiId,                       Production),
    arc("1.3.6.1.4.1.10015.1.3",            MobileId,                     Production),
    // The alternative Mobile-ID policy the DigiDoc apps know.
    arc("1.3.6.1.4.1.10015.11.1",           MobileId,                     Production),
    // ESTEID-SK 2011 / 2015, SK test hierarchy (by analogy, see above).
    arc("1.3.6.1.4.1.10015.3.1",            IdCard,                       Test),
    arc("1.3.6.1.4.1.10015.3.2",            DigiId,                       Test),
    arc("1.3.6.1.4.1.10015.3.3",            MobileId,                     Test),
];

/// The table row that matches the dotted policy `oid`, if any.
pub fn document_policy_for(oid: &str) -> Option<&'static DocumentPolicy> {
    DOCUMENT_POLICIES.iter().find(|row| row.matches(oid))
}

/// The legacy `O=` values of eid-domain §2.1 and the document each names.
const LEGACY_ORGANIZATIONS: &[(&str, DocumentKind)] = &[
    ("ESTEID", IdCard),
    ("ESTEID (DIGI-ID)", DigiId),
    ("ESTEID (DIGI-ID E-RESIDENT)", EResidentDigiId),
    ("ESTEID (MOBIIL-ID)", MobileId),
    ("ESTEID (MOBIIL-ID E-RESIDENT)", MobileId),
];

/// The document kind a legacy subject `O=` value names.
fn legacy_organization_document(organization: &str) -> Option<DocumentKind> {
    LEGACY_ORGANIZATIONS.iter().find(|(o, _)| *o == organization).map(|(_, kind)| *kind)
}

/// The answer of [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Classification {
    pub document: DocumentKind,
    pub generation: Generation,
    pub hierarchy: Hierarchy,
}

/// The policy row that decides the document: a Mobile-ID row if the certificate carries one
/// anywhere (so a certificate that is Mobile-ID by any of its policies is never taken for a
/// card), otherwise the first matching policy in certificate order.
pub(super) fn deciding_policy<'p>(
    policies: impl Iterator<Item = &'p str> + Clone,
) -> Option<&'static DocumentPolicy> {
    let mut rows = policies.filter_map(document_policy_for);
    rows.clone().find(|row| row.document == MobileId).or_else(|| rows.next())
}

/// Document kind, generation and hierarchy of a certificate.
///
/// The deciding policy (see [`deciding_policy`]) gives all three. On a legacy certificate the
/// subject's `O=` is the documented document marker, so a known legacy `O=` value decides the
/// kind (this is how an e-resident digi-ID is told from a resident one); a Mobile-ID marker from
/// either side still wins. With no known policy, a legacy `O=` alone gives the kind with
/// generation [`Generation::LegacySk`] and hierarchy [`Hierarchy::Unknown`]. `O=` is not
/// consulted for ESTEID2018/2025 certificates, whose subjects carry no `O=`.
pub(super) fn classify<'p>(
    policies: impl Iterator<Item = &'p str> + Clone,
    organization: Option<&str>,
) -> Classification {
    let by_organization = organization.and_then(legacy_organization_document);
    let Some(row) = deciding_policy(policies) else {
        let (document, generation) = match by_organization {
            Some(document) => (document, LegacySk),
            None => (DocumentKind::Unknown, Generation::Unknown),
        };
        return Classification { document, generation, hierarchy: Hierarchy::Unknown };
    };

    let document = match (row.generation, by_organization) {
        (LegacySk, _) if row.document == MobileId => MobileId,
        (LegacySk, Some(document)) => document,
        _ => row.document,
    };
    Classification { document, generation: row.generation, hierarchy: row.hierarchy }
}

#[cfg(test)]
mod tests {
    use super::super::test_certs::TestCert;
    use super::super::Identity;
    use super::*;

    fn read(cert: &TestCert) -> Identity {
        Identity::from_der(&cert.der()).expect("test certificate reads")
    }

    fn kind_of(identity: &Identity) -> (DocumentKind, Generation, Hierarchy) {
        (identity.document, identity.generation, identity.hierarchy)
    }

    fn classified(
        policies: &[&str],
        organization: Option<&str>,
    ) -> (DocumentKind, Generation, Hierarchy) {
        let c = classify(policies.iter().copied(), organization);
        (c.document, c.generation, c.hierarchy)
    }

    #[test]
    fn no_two_rows_match_the_same_policy() {
        for row in DOCUMENT_POLICIES {
            let matching: Vec<_> =
                DOCUMENT_POLICIES.iter().filter(|r| r.matches(row.oid)).collect();
            assert_eq!(matching, [row], "{}", row.oid);
        }
    }

    #[test]
    fn every_row_is_read_back_from_a_certificate_carrying_its_policy() {
        for row in DOCUMENT_POLICIES {
            let identity = read(&TestCert::estonian_card(&[row.oid, "0.4.0.2042.1.2"]));
            assert_eq!(
                kind_of(&identity),
                (row.document, row.generation, row.hierarchy),
                "{}",
                row.oid
            );
            assert_eq!(identity.document_policy(), Some(row));
            assert_eq!(identity.document_policy_oid(), Some(row.oid));
        }
    }

    #[test]
    fn each_generation_has_its_cards_in_production_and_test() {
        let kinds = [
            IdCard,
            EuCitizenIdCard,
            EResidentDigiId,
            LongTermResidencePermit,
            TemporaryResidencePermit,
            EuFamilyMemberResidenceCard,
            DiplomaticId,
        ];
        for generation in [Esteid2018, Esteid2025] {
            for hierarchy in [Production, Test] {
                for kind in kinds {
                    let found = DOCUMENT_POLICIES.iter().any(|r| {
                        (r.document, r.generation, r.hierarchy) == (kind, generation, hierarchy)
                    });
                    assert!(found, "{kind:?} {generation:?} {hierarchy:?}");
                }
            }
        }
    }

    #[test]
    fn zetes_test_policies_are_the_production_ones_under_2_999() {
        let production = DOCUMENT_POLICIES
            .iter()
            .filter(|r| r.generation == Esteid2025 && r.hierarchy == Production);
        for row in production {
            let test = document_policy_for(&format!("2.999.{}", row.oid)).expect("test twin");
            assert_eq!(
                (test.document, test.generation, test.hierarchy),
                (row.document, Esteid2025, Test)
            );
        }
        // The 2.999 prefix belongs to ESTEID2025 only.
        assert_eq!(document_policy_for("2.999.1.3.6.1.4.1.51361.1.1.1"), None);
    }

    #[test]
    fn legacy_policies_match_their_sub_arcs_but_not_their_neighbours() {
        let cases = [
            ("1.3.6.1.4.1.10015.1.1.3.3", Some(IdCard)),
            ("1.3.6.1.4.1.10015.1.3.3", Some(MobileId)),
            ("1.3.6.1.4.1.10015.1.3", Some(MobileId)),
            ("1.3.6.1.4.1.10015.11.1", Some(MobileId)),
            ("1.3.6.1.4.1.10015.3.1.1", Some(IdCard)),
            ("1.3.6.1.4.1.10015.1.10", None),
            ("1.3.6.1.4.1.10015.1", None),
            ("1.3.6.1.4.1.10015.7.1.2.6", None),
        ];
        for (oid, expected) in cases {
            assert_eq!(document_policy_for(oid).map(|r| r.document), expected, "{oid}");
        }
    }

    #[test]
    fn unpublished_oids_in_the_current_arcs_are_unknown() {
        for oid in [
            "1.3.6.1.4.1.51361.1.1.8",
            "1.3.6.1.4.1.51455.1.1.2",
            "1.3.6.1.4.1.51361.1.1.1.1",
            "1.3.6.1.4.1.51361.2.1.7",
        ] {
            assert_eq!(document_policy_for(oid), None, "{oid}");
        }
    }

    #[test]
    fn legacy_organization_names_the_document_of_a_legacy_certificate() {
        let cases = [
            ("ESTEID", "1.3.6.1.4.1.10015.1.1", IdCard),
            ("ESTEID (DIGI-ID)", "1.3.6.1.4.1.10015.1.2", DigiId),
            ("ESTEID (DIGI-ID E-RESIDENT)", "1.3.6.1.4.1.10015.1.2", EResidentDigiId),
            ("ESTEID (MOBIIL-ID)", "1.3.6.1.4.1.10015.1.3.1", MobileId),
            ("ESTEID (MOBIIL-ID E-RESIDENT)", "1.3.6.1.4.1.10015.1.3.2", MobileId),
        ];
        for (organization, policy, expected) in cases {
            let identity = read(&TestCert::legacy_card(organization, "authentication", &[policy]));
            assert_eq!(kind_of(&identity), (expected, LegacySk, Production), "{organization}");
            assert_eq!(identity.organization.as_deref(), Some(organization));
        }
    }

    #[test]
    fn legacy_test_card_is_an_id_card_of_the_test_hierarchy() {
        let identity =
            read(&TestCert::legacy_card("ESTEID", "authentication", &["1.3.6.1.4.1.10015.3.1"]));
        assert_eq!(kind_of(&identity), (IdCard, LegacySk, Test));
    }

    #[test]
    fn legacy_organization_without_a_known_policy_still_names_the_document() {
        let identity = read(&TestCert::legacy_card("ESTEID (DIGI-ID)", "authentication", &[]));
        assert_eq!(kind_of(&identity), (DigiId, LegacySk, Hierarchy::Unknown));
        assert_eq!(identity.document_policy(), None);
    }

    #[test]
    fn mobile_id_by_any_marker_is_never_taken_for_a_card() {
        let mobile_policy = "1.3.6.1.4.1.10015.1.3";
        assert_eq!(classified(&["1.3.6.1.4.1.51361.1.1.1", mobile_policy], None).0, MobileId);
        assert_eq!(classified(&[mobile_policy], Some("ESTEID")).0, MobileId);
        assert_eq!(classified(&["1.3.6.1.4.1.10015.1.1"], Some("ESTEID (MOBIIL-ID)")).0, MobileId);
    }

    #[test]
    fn first_document_policy_decides_between_two_cards() {
        let policies = ["1.3.6.1.4.1.51361.1.2.1", "1.3.6.1.4.1.51361.1.2.3"];
        assert_eq!(classified(&policies, None), (IdCard, Esteid2018, Test));
    }

    #[test]
    fn organization_is_ignored_on_current_generations() {
        assert_eq!(
            classified(&["1.3.6.1.4.1.51361.1.1.3"], Some("ESTEID (DIGI-ID E-RESIDENT)")).0,
            DigiId
        );
    }

    #[test]
    fn no_known_policy_and_no_legacy_organization_is_unknown() {
        let unknown = (DocumentKind::Unknown, Generation::Unknown, Hierarchy::Unknown);
        assert_eq!(
            classified(&["1.3.6.1.4.1.10015.7.1.2.6", "0.4.0.2042.1.1"], Some("TTT OÜ")),
            unknown
        );
        assert_eq!(classified(&[], None), unknown);
    }
}
