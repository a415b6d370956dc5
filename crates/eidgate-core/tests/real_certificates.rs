//! The identity reader over the real public test certificates in `../shared/eid-data/user/`.
//!
//! Every expected value below is taken from `eid-data/MANIFEST.md` (printed there by OpenSSL),
//! not from this reader's own output.

use std::path::Path;

use eidgate_core::identity::{
    CertificateRole, DocumentKind, Generation, Hierarchy, Identity, IdentityError, Sex,
};
use eidgate_testpki::eid_data::{eid_data_dir, read};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use CertificateRole::{Authentication, Signing};
use DocumentKind::{DiplomaticId, IdCard, MobileId};
use Generation::{Esteid2018, LegacySk};
use Hierarchy::{Production, Test};

/// What the manifest says about one certificate file.
struct Case {
    file: &'static str,
    given_name: Option<&'static str>,
    surname: Option<&'static str>,
    common_name: &'static str,
    subject_serial_number: Option<&'static str>,
    country: Option<&'static str>,
    identifier: Option<&'static str>,
    personal_code: Option<(Date, Sex)>,
    document: (DocumentKind, Generation, Hierarchy),
    role: CertificateRole,
    serial: &'static str,
    validity: (OffsetDateTime, OffsetDateTime),
    emails: &'static [&'static str],
    issuer: &'static str,
}

const TEST_ESTEID2018: &str =
    "CN=TEST of ESTEID2018,organizationIdentifier=NTREE-10747013,O=SK ID Solutions AS,C=EE";
const ESTEID_SK_2015: &str =
    "CN=ESTEID-SK 2015,organizationIdentifier=NTREE-10747013,O=AS Sertifitseerimiskeskus,C=EE";
const TEST_ESTEID_SK_2015: &str =
    "CN=TEST of ESTEID-SK 2015,organizationIdentifier=NTREE-10747013,\
                                   O=AS Sertifitseerimiskeskus,C=EE";
const JOEORG_CN: &str = "JÕEORG,JAAK-KRISTJAN,38001085718";
const JOEORG_BORN: Option<(Date, Sex)> = Some((date!(1980 - 01 - 08), Sex::Male));
const ESTEID2018_TEST_ID_CARD: (DocumentKind, Generation, Hierarchy) = (IdCard, Esteid2018, Test);

/// A JÕEORG JAAK-KRISTJAN test certificate; they differ in file, serial, dates and policies.
fn joeorg(
    file: &'static str,
    serial: &'static str,
    validity: (OffsetDateTime, OffsetDateTime),
) -> Case {
    Case {
        file,
        given_name: Some("JAAK-KRISTJAN"),
        surname: Some("JÕEORG"),
        common_name: JOEORG_CN,
        subject_serial_number: Some("PNOEE-38001085718"),
        country: Some("EE"),
        identifier: Some("PNOEE-38001085718"),
        personal_code: JOEORG_BORN,
        document: ESTEID2018_TEST_ID_CARD,
        role: Authentication,
        serial,
        validity,
        emails: &["38001085718@eesti.ee"],
        issuer: TEST_ESTEID2018,
    }
}

/// A legacy-issuer (ESTEID-SK) card holder; callers fill in what the certificate adds: serial,
/// validity, e-mails, issuer, identifier and personal code.
fn legacy(
    file: &'static str,
    given: &'static str,
    surname: &'static str,
    cn: &'static str,
    serial_number: &'static str,
) -> Case {
    Case {
        file,
        given_name: Some(given),
        surname: Some(surname),
        common_name: cn,
        subject_serial_number: Some(serial_number),
        country: Some("EE"),
        identifier: None,
        personal_code: None,
        document: (IdCard, LegacySk, Production),
        role: Authentication,
        serial: "",
        validity: (OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH),
        emails: &[],
        issuer: "",
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            document: (DiplomaticId, Esteid2018, Test),
            ..joeorg(
                "EE_JOEORG_auth_REVOKED_TEST_ESTEID2018_2018-06-19_2020-01-02.der",
                "4ACF3F5A80E2C55C5B29184D9C5FC613",
                (datetime!(2018-06-19 14:50:53 UTC), datetime!(2020-01-02 21:59:59 UTC)),
            )
        },
        joeorg(
            "EE_JOEORG_auth_TEST_ESTEID2018_2018-10-18_2023-10-17.cer",
            "396901597343266D5BC857775EC5A4BE",
            (datetime!(2018-10-18 09:50:47 UTC), datetime!(2023-10-17 21:59:59 UTC)),
        ),
        Case {
            emails: &["jaak-kristjan.joeorg@eesti.ee"],
            ..joeorg(
                "EE_JOEORG_auth_TEST_ESTEID2018_2019-05-02_2029-05-02_TARA.cer.pem",
                "4890812E8E34F0265CCAC9B06DE14963",
                (datetime!(2019-05-02 10:42:56 UTC), datetime!(2029-05-02 10:42:56 UTC)),
            )
        },
        joeorg(
            "EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der",
            "639386B21C683CC160F967DCD2014469",
            (datetime!(2021-07-22 12:43:08 UTC), datetime!(2026-07-09 21:59:59 UTC)),
        ),
        Case {
            document: (MobileId, LegacySk, Production),
            ..joeorg(
                "EE_JOEORG_auth_WRONG_POLICY_tampered_MobileID_policy.der",
                "396901597343266D5BC857775EC5A4BE",
                (datetime!(2018-10-18 09:50:47 UTC), datetime!(2023-10-17 21:59:59 UTC)),
            )
        },
        joeorg(
            "EE_JOEORG_auth_WRONG_PURPOSE_tampered_EKU.der",
            "18882867114BED565BC851FB30054491",
            (datetime!(2018-10-18 09:27:23 UTC), datetime!(2023-10-17 21:59:59 UTC)),
        ),
        Case {
            role: Signing,
            emails: &[],
            ..joeorg(
                "EE_JOEORG_sign_TEST_ESTEID2018_2019-05-02_2029-05-02.der",
                "4FB8FACE4EA999545CCACA4BA394AA7A",
                (datetime!(2019-05-02 10:45:31 UTC), datetime!(2029-05-02 10:45:31 UTC)),
            )
        },
        Case {
            identifier: Some("PNOEE-36012345678"),
            document: (MobileId, LegacySk, Production),
            serial: "29B08DFB4E6F7E9D5739756EE8731745",
            validity: (datetime!(2016-05-16 07:23:26 UTC), datetime!(2021-05-16 20:59:59 UTC)),
            emails: &["heikki.kitt@eesti.ee"],
            issuer: ESTEID_SK_2015,
            ..legacy(
                "EE_KASS_MobileID_old_ESTEID-SK2015_2016-05-16_2021-05-16.der",
                "ARTURI",
                "KASS",
                "KASS,ARTURI,36012345678",
                "36012345678",
            )
        },
        Case {
            identifier: Some("PNOEE-37712300255"),
            personal_code: Some((date!(1977 - 12 - 30), Sex::Male)),
            serial: "6CB9E1663DB9C54B525BD09F067E3A2A",
            validity: (datetime!(2013-10-14 11:08:15 UTC), datetime!(2018-10-11 20:59:59 UTC)),
            emails: &["heikki.kitt@eesti.ee"],
            issuer: "emailAddress=pki@sk.ee,CN=ESTEID-SK 2011,O=AS Sertifitseerimiskeskus,C=EE",
            ..legacy(
                "EE_KITT_auth_EXPIRED_RSA_ESTEID-SK2011_2013-10-14_2018-10-11.der",
                "HEIKKI",
                "KITT",
                "KITT,HEIKKI,37712300255",
                "37712300255",
            )
        },
        Case {
            identifier: Some("PNOEE-38309140420"),
            document: (MobileId, LegacySk, Production),
            serial: "330732F18820BF695F4D328B40E84D61",
            validity: (datetime!(2020-08-31 17:25:31 UTC), datetime!(2025-08-31 20:59:59 UTC)),
            emails: &["mati.koversar@eesti.ee"],
            issuer: ESTEID_SK_2015,
            ..legacy(
                "EE_KOVERSAR_MobileID_new_ESTEID-SK2015_2020-08-31_2025-08-31.der",
                "MATI",
                "KÕVERSAR",
                "KÕVERSAR,MATI,38309140420",
                "PNOEE-38309140420",
            )
        },
        Case {
            identifier: Some("PNOEE-61710030163"),
            personal_code: Some((date!(2017 - 10 - 03), Sex::Female)),
            document: (IdCard, LegacySk, Test),
            role: Signing,
            serial: "63E2E043A9F4054459D38F302048981E",
            validity: (datetime!(2017-10-03 13:22:56 UTC), datetime!(2022-10-02 20:59:59 UTC)),
            issuer: TEST_ESTEID_SK_2015,
            ..legacy(
                "EE_MANNIK_sign_TEST_ESTEID-SK2015_2017-10-03_2022-10-02.der",
                "MARI-LIIS",
                "MÄNNIK",
                "MÄNNIK,MARI-LIIS,61710030163",
                "61710030163",
            )
        },
        Case {
            file: "EE_ORG_Testijad_TEST_KLASS3-SK2016_2022-11-02_2025-12-01.der",
            given_name: None,
            surname: None,
            common_name: "Testijad.ee isikutuvastus",
            subject_serial_number: Some("12276279"),
            country: Some("EE"),
            identifier: None,
            personal_code: None,
            document: (DocumentKind::Unknown, Generation::Unknown, Hierarchy::Unknown),
            role: CertificateRole::Unknown,
            serial: "26CE31C86A0DCE2C6362657D8148D896",
            validity: (datetime!(2022-11-02 12:41:04 UTC), datetime!(2025-12-01 12:41:04 UTC)),
            emails: &[],
            issuer: "CN=TEST of KLASS3-SK 2016,organizationIdentifier=NTREE-10747013,\
                     OU=Sertifitseerimisteenused,O=AS Sertifitseerimiskeskus,C=EE",
        },
        Case {
            identifier: Some("PNOEE-37602040334"),
            personal_code: Some((date!(1976 - 02 - 04), Sex::Male)),
            serial: "3015455EBA04B77859F051DC28A13AE5",
            validity: (datetime!(2017-10-25 08:57:00 UTC), datetime!(2021-02-10 21:59:59 UTC)),
            emails: &["mart.toom.3@eesti.ee"],
            issuer: ESTEID_SK_2015,
            ..legacy(
                "EE_TOOM_auth_EXPIRED_ECDSA_ESTEID-SK2015_2017-10-25_2021-02-10.der",
                "MART",
                "TOOM",
                "TOOM,MART,37602040334",
                "37602040334",
            )
        },
        Case {
            identifier: Some("PNOEE-48812040138"),
            personal_code: Some((date!(1988 - 12 - 04), Sex::Female)),
            document: (IdCard, LegacySk, Test),
            serial: "47E2E5F6B45A1D815527B889303C2CDC",
            validity: (datetime!(2015-04-10 11:48:25 UTC), datetime!(2020-04-08 20:59:59 UTC)),
            emails: &["kroot.varnick.1@eesti.ee"],
            issuer:
                "emailAddress=pki@sk.ee,CN=TEST of ESTEID-SK 2011,O=AS Sertifitseerimiskeskus,C=EE",
            ..legacy(
                "EE_VARNICK_auth_TEST_ESTEID-SK2011_2015-04-10_2020-04-08_TARA.pem",
                "KRÕÕT",
                "VÄRNICK",
                "VÄRNICK,KRÕÕT,48812040138",
                "48812040138",
            )
        },
        Case {
            identifier: Some("PNOEE-37101010021"),
            personal_code: Some((date!(1971 - 01 - 01), Sex::Male)),
            document: (IdCard, LegacySk, Test),
            serial: "313D3605844646345B2250040B601532",
            validity: (datetime!(2018-06-14 11:22:44 UTC), datetime!(2023-06-13 20:59:59 UTC)),
            emails: &["igor.zaikovski@eesti.ee"],
            issuer: TEST_ESTEID_SK_2015,
            ..legacy(
                "EE_ZAIKOVSKI_auth_TEST_ESTEID-SK2015_2018-06-14_2023-06-13_TARA.pem",
                "IGOR",
                "ŽAIKOVSKI",
                "ŽAIKOVSKI,IGOR,37101010021",
                "37101010021",
            )
        },
        Case {
            identifier: Some("PNOEE-37101010021"),
            personal_code: Some((date!(1971 - 01 - 01), Sex::Male)),
            document: (IdCard, LegacySk, Test),
            serial: "018D8EAA34BD4CEA56D844F3A72C095E",
            validity: (datetime!(2016-03-03 14:06:43 UTC), datetime!(2021-03-02 21:59:59 UTC)),
            emails: &["igor.zaikovski.3@eesti.ee"],
            issuer: TEST_ESTEID_SK_2015,
            ..legacy(
                "EE_ZAIKOVSKI_auth_TEST_ESTEID-SK2015_noAIA_2016-03-03_2021-03-02_TARA.pem",
                "IGOR",
                "ŽAIKOVSKI",
                "ŽAIKOVSKI,IGOR,37101010021",
                "37101010021",
            )
        },
        Case {
            file: "LV_PARAUDZINS_auth_DEMO_LV_eID_ICA_2017.der",
            given_name: Some("ANDRIS"),
            surname: Some("PARAUDZIŅŠ"),
            common_name: "ANDRIS PARAUDZIŅŠ",
            subject_serial_number: Some("PNOLV-321922-33032"),
            country: Some("LV"),
            identifier: Some("PNOLV-321922-33032"),
            personal_code: None,
            document: (DocumentKind::Unknown, Generation::Unknown, Hierarchy::Unknown),
            role: Authentication,
            serial: "4FB697791FB35A505BD866DAAFE00569",
            validity: (datetime!(2018-10-30 14:12:42 UTC), datetime!(2023-10-30 14:12:42 UTC)),
            emails: &[],
            issuer: "CN=DEMO LV eID ICA 2017,organizationIdentifier=NTRLV-40003011203,\
                     O=VAS Latvijas Valsts radio un televīzijas centrs,C=LV",
        },
        Case {
            file: "MISSING_KEY_USAGE_selfsigned_web-eid.eu.der",
            given_name: None,
            surname: None,
            common_name: "web-eid.eu",
            subject_serial_number: None,
            country: None,
            identifier: None,
            personal_code: None,
            document: (DocumentKind::Unknown, Generation::Unknown, Hierarchy::Unknown),
            role: CertificateRole::Unknown,
            serial: "D4DB776EAF4BA7E6",
            validity: (datetime!(2020-09-24 12:24:33 UTC), datetime!(2030-09-22 12:24:33 UTC)),
            emails: &[],
            issuer: "CN=web-eid.eu",
        },
    ]
}

/// The private key that sits beside the TARA certificate; the only file in `user/` that is not a
/// certificate.
const KEY_FILE: &str = "EE_JOEORG_auth_TEST_ESTEID2018_2019-05-02_2029-05-02_TARA.key.pem";

/// The certificate in `file` as DER: PEM files (with or without OpenSSL's text preamble) are
/// unwrapped, anything else is taken as DER.
fn der_of(dir: &Path, file: &str) -> Vec<u8> {
    let bytes = read(dir, &format!("user/{file}"));
    if !file.ends_with(".pem") {
        return bytes;
    }
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(pem.label, "CERTIFICATE", "{file}");
    pem.contents
}

fn identities(test_name: &str) -> Option<Vec<(Case, Identity)>> {
    let dir = eid_data_dir(test_name)?;
    let read_case = |case: Case| {
        let identity = Identity::from_der(&der_of(&dir, case.file))
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        (case, identity)
    };
    Some(cases().into_iter().map(read_case).collect())
}

#[test]
fn every_file_in_user_is_a_case_except_the_private_key() {
    let Some(dir) = eid_data_dir("every_file_in_user_is_a_case_except_the_private_key") else {
        return;
    };
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.join("user"))
        .expect("user/ lists")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != KEY_FILE)
        .collect();
    on_disk.sort();
    let mut covered: Vec<String> = cases().iter().map(|c| c.file.to_owned()).collect();
    covered.sort();
    assert_eq!(on_disk, covered);

    let key = read(&dir, &format!("user/{KEY_FILE}"));
    assert!(matches!(Identity::from_der(&key), Err(IdentityError::Malformed(_))));
}

#[test]
fn names_keep_their_estonian_and_latvian_letters() {
    let Some(identities) = identities("names_keep_their_estonian_and_latvian_letters") else {
        return;
    };
    for (case, identity) in identities {
        let names = (identity.given_name.as_deref(), identity.surname.as_deref());
        assert_eq!(names, (case.given_name, case.surname), "{}", case.file);
        assert_eq!(identity.common_name.as_deref(), Some(case.common_name), "{}", case.file);
        assert_eq!(identity.country.as_deref(), case.country, "{}", case.file);
    }
}

#[test]
fn display_name_is_given_names_then_surname_or_the_common_name() {
    let Some(identities) =
        identities("display_name_is_given_names_then_surname_or_the_common_name")
    else {
        return;
    };
    for (case, identity) in identities {
        let expected = match (case.given_name, case.surname) {
            (Some(given), Some(surname)) => format!("{given} {surname}"),
            _ => case.common_name.to_owned(),
        };
        assert_eq!(identity.display_name(), expected, "{}", case.file);
    }
}

#[test]
fn identifiers_are_normalised_to_the_etsi_form() {
    let Some(identities) = identities("identifiers_are_normalised_to_the_etsi_form") else {
        return;
    };
    for (case, identity) in identities {
        let identifier = identity.identifier.as_ref().map(ToString::to_string);
        assert_eq!(identifier.as_deref(), case.identifier, "{}", case.file);
        let serial_number = identity.subject_serial_number.as_deref();
        assert_eq!(serial_number, case.subject_serial_number, "{}", case.file);
    }
}

#[test]
fn valid_personal_codes_give_date_of_birth_and_invalid_fixture_codes_give_none() {
    let Some(identities) =
        identities("valid_personal_codes_give_date_of_birth_and_invalid_fixture_codes_give_none")
    else {
        return;
    };
    for (case, identity) in identities {
        let code = identity.personal_code.as_ref().map(|c| (c.date_of_birth, c.sex));
        assert_eq!(code, case.personal_code, "{}", case.file);
    }
}

#[test]
fn document_generation_and_hierarchy_follow_the_policies() {
    let Some(identities) = identities("document_generation_and_hierarchy_follow_the_policies")
    else {
        return;
    };
    for (case, identity) in identities {
        let document = (identity.document, identity.generation, identity.hierarchy);
        assert_eq!(document, case.document, "{}", case.file);
    }
}

#[test]
fn signing_certificates_read_as_signing_and_auth_certificates_as_authentication() {
    let Some(identities) =
        identities("signing_certificates_read_as_signing_and_auth_certificates_as_authentication")
    else {
        return;
    };
    for (case, identity) in identities {
        assert_eq!(identity.role, case.role, "{}", case.file);
    }
}

#[test]
fn serial_validity_and_emails_match_the_manifest() {
    let Some(identities) = identities("serial_validity_and_emails_match_the_manifest") else {
        return;
    };
    for (case, identity) in identities {
        assert_eq!(identity.certificate_serial, case.serial, "{}", case.file);
        assert_eq!((identity.not_before, identity.not_after), case.validity, "{}", case.file);
        assert_eq!(identity.emails, case.emails, "{}", case.file);
    }
}

#[test]
fn issuer_reads_as_rfc4514_text_with_utf8_values() {
    let Some(identities) = identities("issuer_reads_as_rfc4514_text_with_utf8_values") else {
        return;
    };
    for (case, identity) in identities {
        assert_eq!(identity.issuer, case.issuer, "{}", case.file);
    }
}

#[test]
fn both_attribute_orders_of_the_2019_test_certificates_read_alike() {
    let Some(identities) =
        identities("both_attribute_orders_of_the_2019_test_certificates_read_alike")
    else {
        return;
    };
    let subject_of = |file: &str| {
        let (_, identity) = identities.iter().find(|(case, _)| case.file == file).expect(file);
        identity.subject.clone()
    };
    assert_eq!(
        subject_of("EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der"),
        "serialNumber=PNOEE-38001085718,GN=JAAK-KRISTJAN,SN=JÕEORG,\
         CN=JÕEORG\\,JAAK-KRISTJAN\\,38001085718,C=EE"
    );
    assert_eq!(
        subject_of("EE_JOEORG_sign_TEST_ESTEID2018_2019-05-02_2029-05-02.der"),
        "serialNumber=PNOEE-38001085718,CN=JÕEORG\\,JAAK-KRISTJAN\\,38001085718,\
         SN=JÕEORG,GN=JAAK-KRISTJAN,C=EE"
    );
}

#[test]
fn the_revoked_certificate_carries_the_diplomatic_test_policy() {
    let Some(identities) = identities("the_revoked_certificate_carries_the_diplomatic_test_policy")
    else {
        return;
    };
    let (_, revoked) = identities
        .iter()
        .find(|(case, _)| case.file.contains("REVOKED"))
        .expect("revoked certificate");
    assert_eq!(revoked.document_policy_oid(), Some("1.3.6.1.4.1.51455.1.2.1"));
    assert_eq!(revoked.policies, ["1.3.6.1.4.1.51455.1.2.1", "0.4.0.2042.1.2"]);
}
