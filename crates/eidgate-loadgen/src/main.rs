//! `eidgate-load`: drives an mTLS server on this machine the way ID-card logins do, and measures
//! what the cryptography of one handshake costs here.
//!
//! This file only parses the command line and hands over; each mode lives in its own module.

#![forbid(unsafe_code)]

mod args;
mod cards;
mod client;
mod crl;
mod floor;
mod hold;
mod http1;
mod pki;
mod progress;
mod report;
mod run;
mod summary;
mod upstream;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::args::{FloorArgs, HoldArgs, LoadArgs, PkiArgs, SummarizeArgs, UpstreamArgs};
use crate::run::Mode;

/// Load generator for eidgate and other mTLS servers (nginx with ssl_verify_client), with client
/// certificates like ID-card logins. Sends traffic to loopback addresses only.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Full handshakes (resumption off), one request each, then close.
    Handshake(LoadArgs),
    /// Resumed handshakes: each worker resumes its previous session; one request each.
    Resumed(LoadArgs),
    /// Requests over a few long-lived keep-alive connections (default 4).
    Keepalive(LoadArgs),
    /// Requests over many concurrent keep-alive connections (default 1000).
    Concurrent(LoadArgs),
    /// Fresh logins: a full handshake with each card of --cards DIR in turn, each card once by
    /// default, so a server's revocation cache starts cold for every login.
    Logins(LoadArgs),
    /// Opens --connections mTLS connections, makes one request on each, and keeps them open.
    Hold(HoldArgs),
    /// Times the signature and key-exchange operations of one handshake with aws-lc-rs.
    CryptoFloor(FloorArgs),
    /// Writes a demo PKI (as `eidgate demo` does) plus many cards and OCSP responder files.
    Pki(PkiArgs),
    /// A tiny HTTP/1.1 app that answers every request with a short text: the upstream.
    Upstream(UpstreamArgs),
    /// Prints the comparison table (medians and ratios) of the results in a folder.
    Summarize(SummarizeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Handshake(args) => run::main(Mode::Handshake, &args),
        Command::Resumed(args) => run::main(Mode::Resumed, &args),
        Command::Keepalive(args) => run::main(Mode::Keepalive, &args),
        Command::Concurrent(args) => run::main(Mode::Concurrent, &args),
        Command::Logins(args) => run::main(Mode::Logins, &args),
        Command::Hold(args) => hold::main(&args),
        Command::CryptoFloor(args) => floor::main(&args),
        Command::Pki(args) => pki::main(&args),
        Command::Upstream(args) => upstream::main(&args),
        Command::Summarize(args) => summary::main(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("eidgate-load: {message}");
            ExitCode::FAILURE
        }
    }
}
