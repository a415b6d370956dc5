//! `eidgate inspect`: the identity in certificate files and the acceptance decision for each.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use eidgate_core::identity::Identity;
use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore, VerifiedCard};
use eidgate_revocation::{RevocationChecker, RevocationConfig};
use eidgate_server::app::identity_json;
use eidgate_server::Config;

#[derive(clap::Args)]
pub struct Args {
    /// Take trust and policy from this configuration file.
    #[arg(long, conflicts_with = "trust")]
    config: Option<PathBuf>,
    /// A trusted CA file (PEM bundle or DER); repeat for more. Default policy applies.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Decide as of this instant (RFC 3339, e.g. 2021-08-01T00:00:00Z). Default: now.
    #[arg(long)]
    at: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also check accepted certificates for revocation (over the network): with `--config` as
    /// its `[revocation]` says, with `--trust` at the responder in each certificate's AIA.
    #[arg(long)]
    check_revocation: bool,
    /// Certificate files, DER or PEM. In a PEM file with several certificates the first is the
    /// card and the rest are sent with it, as a client would.
    #[arg(required = true)]
    certificates: Vec<PathBuf>,
}

/// Exit status 0 when every certificate is accepted, 1 otherwise.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let now = instant(args.at.as_deref())?;
    let (trust, policy, revocation) = trust_and_policy(args)?;
    let checker = match (args.check_revocation, &trust) {
        (true, Some(_)) => Some(RevocationCheck::new(&revocation)?),
        _ => None,
    };

    let mut all_accepted = true;
    let mut reports = Vec::new();
    for path in &args.certificates {
        let check = Check { trust: trust.as_ref(), policy: &policy, revocation: checker.as_ref() };
        let report = inspect_file(path, &check, now)?;
        all_accepted &= report["decision"] == "accepted";
        reports.push(report);
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports).map_err(|e| e.to_string())?);
    } else {
        reports.iter().for_each(print_text);
    }
    Ok(if all_accepted { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// What a certificate is checked against.
struct Check<'a> {
    trust: Option<&'a TrustStore>,
    policy: &'a AcceptancePolicy,
    revocation: Option<&'a RevocationCheck>,
}

/// A revocation checker with the runtime its network requests run on.
struct RevocationCheck {
    checker: RevocationChecker,
    runtime: tokio::runtime::Runtime,
}

impl RevocationCheck {
    fn new(config: &(RevocationConfig, PathBuf)) -> Result<Self, String> {
        let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        let checker = RevocationChecker::new(&config.0, &config.1).map_err(|e| e.to_string())?;
        Ok(Self { checker, runtime })
    }

    /// The `revocation` member of the report, and the refusal when the card is not good.
    fn check(&self, card: &VerifiedCard, now: UnixTime) -> (Value, Option<Refusal>) {
        let at = OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let checked = self.checker.check(card.certificate(), card.issuer(), at);
        match self.runtime.block_on(checked) {
            Ok(outcome) => (json!({ "status": "good", "source": outcome.to_string() }), None),
            Err(error) => {
                let refusal = eidgate_server::revocation::refusal(&error);
                let report = json!({ "status": refusal.code(), "detail": error.to_string() });
                (report, Some(refusal))
            }
        }
    }
}

fn inspect_file(path: &PathBuf, check: &Check<'_>, now: UnixTime) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let chain: Vec<CertificateDer<'static>> =
        TrustStore::read_certificates(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let identity = chain.first().map(|c| Identity::from_der(c));

    let mut revocation = json!("not checked");
    let outcome = match (check.trust, identity) {
        (_, Some(Err(e))) => Err(("malformed".to_string(), e.to_string())),
        (None, _) => Err(("no-trust".into(), "no --trust or --config given".into())),
        (Some(trust), _) => match verify_card(&chain, trust, check.policy, now) {
            Ok(card) => match check.revocation.map(|r| r.check(&card, now)) {
                Some((report, refusal)) => {
                    revocation = report;
                    refusal.map_or(Ok(()), |r| Err((r.code().to_string(), r.to_string())))
                }
                None => Ok(()),
            },
            Err(refusal) => Err((refusal.code().to_string(), refusal.to_string())),
        },
    };
    let (decision, reason, message) = match outcome {
        Ok(()) => ("accepted", "ok".to_string(), "accepted".to_string()),
        Err((reason, message)) if reason == "no-trust" => ("undecided", reason, message),
        Err((reason, message)) => ("refused", reason, message),
    };
    let identity = chain.first().and_then(|c| Identity::from_der(c).ok());
    Ok(json!({
        "file": path.display().to_string(),
        "identity": identity.as_ref().map(identity_json),
        "decision": decision,
        "reason": reason,
        "message": message,
        "revocation": revocation,
    }))
}

fn print_text(report: &Value) {
    println!("{}", report["file"].as_str().unwrap_or_default());
    if let Some(identity) = report["identity"].as_object() {
        for (key, value) in identity {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {key:<20} {text}");
        }
    }
    println!(
        "  {:<20} {} ({})",
        "decision",
        report["decision"].as_str().unwrap_or(""),
        report["reason"].as_str().unwrap_or("")
    );
    println!("  {:<20} {}", "", report["message"].as_str().unwrap_or(""));
}

/// Trust, acceptance policy and revocation configuration (with the folder its paths are
/// relative to) from `--config` or `--trust`.
type Settings = (Option<TrustStore>, AcceptancePolicy, (RevocationConfig, PathBuf));

fn trust_and_policy(args: &Args) -> Result<Settings, String> {
    if let Some(path) = &args.config {
        let config = Config::load(path).map_err(|e| e.to_string())?;
        let trust = eidgate_server::load_trust(&config).map_err(|e| e.to_string())?;
        let revocation = (config.revocation.clone(), config.base_dir.clone());
        return Ok((Some(trust), config.acceptance_policy(), revocation));
    }
    let revocation = (RevocationConfig::default(), PathBuf::from("."));
    if args.trust.is_empty() {
        return Ok((None, AcceptancePolicy::default(), revocation));
    }
    let mut certs = Vec::new();
    for path in &args.trust {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        certs.extend(
            TrustStore::read_certificates(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        );
    }
    let trust = TrustStore::new(certs).map_err(|e| format!("--trust: {e}"))?;
    Ok((Some(trust), AcceptancePolicy::default(), revocation))
}

fn instant(at: Option<&str>) -> Result<UnixTime, String> {
    let Some(at) = at else {
        return Ok(UnixTime::now());
    };
    let parsed = OffsetDateTime::parse(at, &Rfc3339).map_err(|e| format!("--at {at}: {e}"))?;
    let seconds =
        u64::try_from(parsed.unix_timestamp()).map_err(|_| format!("--at {at}: before 1970"))?;
    Ok(UnixTime::since_unix_epoch(Duration::from_secs(seconds)))
}
