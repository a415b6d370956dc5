//! `eidgate`: ID-card login in one program.
//!
//! This file only parses the command line and hands over; the work is in the library crates.

#![forbid(unsafe_code)]

mod demo;
mod inspect;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use eidgate_server::Config;

/// TLS gateway that logs people in with their national eID card.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve with a configuration file.
    Serve {
        /// The TOML configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check a configuration file (and the files it names) and exit: 0 when it is usable.
    CheckConfig {
        /// The TOML configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Run on a built-in test PKI: creates it once in DIR, prints how to log in, and serves.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Folder for the test PKI, the test cards and the configuration.
        #[arg(long, default_value = "eidgate-demo")]
        dir: PathBuf,
    },
    /// Print the identity in certificates and whether they would be accepted.
    Inspect(inspect::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Serve { config } => serve(config),
        Command::CheckConfig { config } => check_config(config),
        Command::Demo { listen, dir } => demo::run(listen, &dir),
        Command::Inspect(args) => inspect::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("eidgate: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: PathBuf) -> Result<ExitCode, String> {
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    serve_config(&config)
}

/// Serves until the process is stopped.
pub(crate) fn serve_config(config: &Config) -> Result<ExitCode, String> {
    let runtime = eidgate_server::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        eidgate_server::run(config, |addr| {
            tracing::info!(listen = %addr, "eidgate listening");
            println!("eidgate listening on https://{addr}/");
        })
        .await
        .map_err(|e| e.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn check_config(path: PathBuf) -> Result<ExitCode, String> {
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    let gateway = eidgate_server::Gateway::from_config(&config).map_err(|e| e.to_string())?;

    println!("{}: OK", path.display());
    println!("  listen: {}", config.server.listen);
    let cas = gateway.authenticator.trust().cas();
    for ca in cas {
        let role = match (ca.is_root, ca.issuer.and_then(|i| cas.get(i))) {
            (true, _) => "root".to_string(),
            (false, Some(issuer)) => format!("issued by {}", issuer.subject),
            (false, None) => "trusted on its own; its issuer is not configured".to_string(),
        };
        println!("  trusted CA: {} ({role})", ca.subject);
    }
    println!("  policy: {:?}", config.acceptance_policy());
    for route in &config.routes {
        println!("  route {} -> {} (card {:?})", route.prefix, route.upstream, route.card);
    }
    if config.routes.is_empty() {
        println!("  route / -> builtin:greeting (card Required)");
    }
    let revocation = if config.trust.dangerous_skip_revocation_check { "OFF" } else { "on" };
    println!("  revocation check: {revocation}");
    Ok(ExitCode::SUCCESS)
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("EIDGATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
}
