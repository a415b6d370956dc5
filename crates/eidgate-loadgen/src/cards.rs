//! The client certificates the load is sent with: one card from `--cert`/`--key`, or every card
//! of a `--cards` folder.

use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::args::LoadArgs;

/// One card: its certificate (with any intermediates after it) and its private key.
#[derive(Debug)]
pub struct Card {
    pub name: String,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// Reads the cards the arguments name.
///
/// # Errors
///
/// A message naming the file or folder when none is given, a file is unreadable, or a folder
/// holds no card.
pub fn load(args: &LoadArgs) -> Result<Vec<Card>, String> {
    match (&args.cert, &args.key, &args.cards) {
        (Some(cert), Some(key), None) => Ok(vec![read_card(cert, key)?]),
        (None, None, Some(dir)) => read_folder(dir),
        _ => Err("name a card with --cert and --key, or a folder of cards with --cards".into()),
    }
}

/// Reads a PEM certificate chain and its key.
pub fn read_card(cert: &Path, key: &Path) -> Result<Card, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: holds no PEM certificate", cert.display()));
    }
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let name = cert.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Card { name, chain, key: key_der })
}

/// Reads every `NAME.crt` that has a `NAME.key` beside it, in name order.
fn read_folder(dir: &Path) -> Result<Vec<Card>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut certs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "crt"))
        .filter(|path| path.with_extension("key").exists())
        .collect();
    certs.sort();
    if certs.is_empty() {
        return Err(format!("{}: no NAME.crt with a NAME.key beside it", dir.display()));
    }
    certs.iter().map(|cert| read_card(cert, &cert.with_extension("key"))).collect()
}
