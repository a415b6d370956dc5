//! Command-line arguments of every mode, and the checks made on them before anything starts.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// Longest run a single invocation accepts: one hour. A benchmark longer than that is a soak
/// test, and a typo such as `--duration 36000` should not pin a machine for ten hours.
const MAX_DURATION: Duration = Duration::from_secs(3600);

/// What every load mode takes.
#[derive(Args, Clone, Debug)]
pub struct LoadArgs {
    /// Server address; must be a loopback address (127.0.0.0/8 or ::1).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub target: String,
    /// TLS server name sent in SNI and checked against the server certificate.
    #[arg(long, default_value = "localhost")]
    pub server_name: String,
    /// PEM file with the CA that issued the server certificate (the demo's server-ca.pem).
    #[arg(long)]
    pub ca: PathBuf,
    /// PEM certificate of the card (with --key). Alternative to --cards.
    #[arg(long, requires = "key", conflicts_with = "cards")]
    pub cert: Option<PathBuf>,
    /// PEM private key of the card (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Folder of cards: every NAME.crt with a NAME.key beside it, used in name order.
    #[arg(long)]
    pub cards: Option<PathBuf>,
    /// Request path.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Stop after this many seconds. Default 10.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Stop after this many handshakes or requests (whichever of the two limits comes first).
    /// `logins` defaults to the number of cards.
    #[arg(long)]
    pub count: Option<u64>,
    /// Connections (keep-alive modes) or concurrent workers (handshake modes). Defaults:
    /// handshake, resumed and logins 16; keepalive 4; concurrent 1000; hold 1000.
    #[arg(long)]
    pub connections: Option<usize>,
    /// Runtime threads. Default: the CPUs this process may run on.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Seconds one handshake or request may take before it counts as an error. Default 10.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// TLS version to offer.
    #[arg(long, value_enum, default_value_t = TlsVersion::V1_3)]
    pub tls: TlsVersion,
    /// Also write the result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// A label copied into the JSON (e.g. the server's name).
    #[arg(long, default_value = "")]
    pub label: String,
    /// When to draw the progress line on stderr.
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,
}

/// `hold`: the load arguments plus how to report readiness.
#[derive(Args, Clone, Debug)]
pub struct HoldArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Handshakes in flight while opening. Default 64.
    #[arg(long, default_value_t = 64)]
    pub open_parallel: usize,
    /// Written (JSON: open and failed counts) once every connection is open or has failed.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
    /// Seconds between requests on each held connection, so that servers whose keep-alive
    /// timeout is shorter than the hold do not close them. Default 15.
    #[arg(long, default_value_t = 15.0)]
    pub ping_secs: f64,
}

/// `crypto-floor`.
#[derive(Args, Clone, Debug)]
pub struct FloorArgs {
    /// Milliseconds spent timing each operation. Default 500.
    #[arg(long, default_value_t = 500)]
    pub millis: u64,
    /// Also write the result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// `pki`.
#[derive(Args, Clone, Debug)]
pub struct PkiArgs {
    /// Folder of the demo PKI; created as `eidgate demo --dir` does when missing, else reused.
    pub dir: PathBuf,
    /// How many extra P-384 cards to issue into DIR/many-cards/. Default 0.
    #[arg(long, default_value_t = 0)]
    pub cards: usize,
    /// Sizes of CRLs to write into DIR/crl/ (comma-separated), e.g. 1000,100000,1000000.
    #[arg(long, value_delimiter = ',')]
    pub crl_entries: Vec<usize>,
}

/// `upstream`.
#[derive(Args, Clone, Debug)]
pub struct UpstreamArgs {
    /// Address to listen on; must be a loopback address.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
}

/// `summarize`.
#[derive(Args, Clone, Debug)]
pub struct SummarizeArgs {
    /// Folder of results written by `bench/compare`.
    pub dir: PathBuf,
}

/// TLS version the client offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TlsVersion {
    #[value(name = "1.2")]
    V1_2,
    #[value(name = "1.3")]
    V1_3,
}

/// When the progress line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    /// Only when stderr is a terminal.
    Auto,
    Always,
    Never,
}

impl LoadArgs {
    /// The target address, refused unless it is on loopback.
    pub fn target_addr(&self) -> Result<SocketAddr, String> {
        let addrs = self.target.to_socket_addrs().map_err(|e| format!("--target: {e}"))?;
        let addrs: Vec<SocketAddr> = addrs.collect();
        let Some(addr) = addrs.first().copied() else {
            return Err(format!("--target {}: resolves to no address", self.target));
        };
        require_loopback("--target", addr)?;
        Ok(addr)
    }

    /// The run's time limit, checked against [`MAX_DURATION`].
    pub fn duration_limit(&self) -> Result<Duration, String> {
        seconds("--duration", self.duration, MAX_DURATION)
    }

    /// The per-operation timeout.
    pub fn op_timeout(&self) -> Result<Duration, String> {
        seconds("--timeout", self.timeout, MAX_DURATION)
    }
}

/// Refuses any address outside 127.0.0.0/8 and ::1: this tool only loads servers on this
/// machine.
pub fn require_loopback(flag: &str, addr: SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        return Ok(());
    }
    Err(format!("{flag} {addr}: only loopback addresses (127.0.0.0/8, ::1) are allowed"))
}

/// A positive number of seconds no larger than `max`.
pub fn seconds(flag: &str, value: f64, max: Duration) -> Result<Duration, String> {
    if !(value > 0.0 && value <= max.as_secs_f64()) {
        return Err(format!("{flag} {value}: must be above 0 and at most {}", max.as_secs()));
    }
    Ok(Duration::from_secs_f64(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_pass_and_others_are_refused() {
        assert!(require_loopback("--target", "127.0.0.2:443".parse().unwrap()).is_ok());
        assert!(require_loopback("--target", "[::1]:443".parse().unwrap()).is_ok());
        let refused = require_loopback("--target", "10.0.0.1:443".parse().unwrap());
        assert!(refused.unwrap_err().contains("only loopback"));
    }

    #[test]
    fn durations_outside_the_bounds_are_refused() {
        assert_eq!(seconds("--duration", 1.5, MAX_DURATION), Ok(Duration::from_millis(1500)));
        assert!(seconds("--duration", 0.0, MAX_DURATION).is_err());
        assert!(seconds("--duration", 36_000.0, MAX_DURATION).is_err());
        assert!(seconds("--duration", f64::NAN, MAX_DURATION).is_err());
    }
}
