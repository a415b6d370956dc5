//! `eidgate inspect`: the identity in certificate files and the acceptance decision for each.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use eidgate_core::identity::Identity;
use eidgate_core::{verify_card, AcceptancePolicy, TrustStore};
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
    /// Certificate files, DER or PEM. In a PEM file with several certificates the first is the
    /// card and the rest are sent with it, as a client would.
    #[arg(required = true)]
    certificates: Vec<PathBuf>,
}

/// Exit status 0 when every certificate is accepted, 1 otherwise.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let now = instant(args.at.as_deref())?;
    let (trust, policy) = trust_and_policy(args)?;

    let mut all_accepted = true;
    let mut reports = Vec::new();
    for path in &args.certificates {
        let report = inspect_file(path, trust.as_ref(), &policy, now)?;
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

fn inspect_file(
    path: &PathBuf,
    trust: Option<&TrustStore>,
    policy: &AcceptancePolicy,
    now: UnixTime,
) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let chain: Vec<CertificateDer<'static>> =
        TrustStore::read_certificates(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let identity = chain.first().map(|c| Identity::from_der(c));

    let (decision, reason, message) = match (trust, identity) {
        (_, Some(Err(e))) => ("refused", "malformed".to_string(), e.to_string()),
        (None, _) => ("undecided", "no-trust".into(), "no --trust or --config given".into()),
        (Some(trust), _) => match verify_card(&chain, trust, policy, now) {
            Ok(_) => ("accepted", "ok".into(), "accepted".into()),
            Err(refusal) => ("refused", refusal.code().to_string(), refusal.to_string()),
        },
    };
    let identity = chain.first().and_then(|c| Identity::from_der(c).ok());
    Ok(json!({
        "file": path.display().to_string(),
        "identity": identity.as_ref().map(identity_json),
        "decision": decision,
        "reason": reason,
        "message": message,
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

fn trust_and_policy(args: &Args) -> Result<(Option<TrustStore>, AcceptancePolicy), String> {
    if let Some(path) = &args.config {
        let config = Config::load(path).map_err(|e| e.to_string())?;
        let trust = eidgate_server::load_trust(&config).map_err(|e| e.to_string())?;
        return Ok((Some(trust), config.acceptance_policy()));
    }
    if args.trust.is_empty() {
        return Ok((None, AcceptancePolicy::default()));
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
    Ok((Some(trust), AcceptancePolicy::default()))
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
