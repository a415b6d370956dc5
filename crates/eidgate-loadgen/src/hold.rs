//! `hold`: opens many mTLS connections, makes one request on each (so the server has
//! authenticated every one), and keeps them open, for measuring a server's memory per idle
//! connection.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use serde::Serialize;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::args::{seconds, HoldArgs};
use crate::cards;
use crate::client::{self, OpError, Reuse, Target, TlsSettings};
use crate::http1::ResponseReader;
use crate::progress::{Counters, Limits, Progress};
use crate::run::runtime;

/// File descriptors the process needs besides its connections (runtime, stdio, files).
const SPARE_DESCRIPTORS: u64 = 64;

/// The outcome of a hold, printed and written to `--json`.
#[derive(Debug, Serialize)]
pub struct HoldReport {
    pub mode: &'static str,
    pub label: String,
    pub target: String,
    pub requested: usize,
    /// Connections whose handshake and first request succeeded.
    pub open: u64,
    pub failed: u64,
    /// Connections that still answered a request when the hold ended.
    pub alive_at_end: u64,
    pub open_secs: f64,
    pub held_secs: f64,
    pub error_kinds: BTreeMap<String, u64>,
}

/// What happened to one held connection.
enum Held {
    Alive,
    Lost(OpError),
}

/// Runs the hold. Exit status 0 when every connection opened and was still alive at the end.
pub fn main(args: &HoldArgs) -> Result<ExitCode, String> {
    let load = &args.load;
    let target = Target::new(load.target_addr()?, &load.server_name, &load.path)?;
    let hold_for = load.duration_limit()?;
    let timeout = load.op_timeout()?;
    let ping = seconds("--ping-secs", args.ping_secs, Duration::from_secs(3600))?;
    let requested = load.connections.unwrap_or(1000).max(1);
    check_descriptor_limit(requested)?;
    let cards = cards::load(load)?;
    let settings = TlsSettings::new(&load.ca, load.tls)?;
    let configs: Vec<Arc<ClientConfig>> =
        cards.iter().map(|card| settings.config(card, false)).collect::<Result<_, _>>()?;

    let report = runtime(load.threads)?.block_on(async {
        let counters = Arc::new(Counters::default());
        let limits = Limits { duration: hold_for, count: Some(requested as u64) };
        let progress = Progress::start(load.progress, "hold", Arc::clone(&counters), limits);
        let (deadline_tx, deadline_rx) = watch::channel(None);
        let gate = Arc::new(Semaphore::new(args.open_parallel.max(1)));
        let started = Instant::now();
        let mut set = JoinSet::new();
        for index in 0..requested {
            let config = Arc::clone(&configs[index % configs.len()]);
            let held = HeldConnection { target: target.clone(), config, timeout, ping };
            let (gate, rx, counters) =
                (Arc::clone(&gate), deadline_rx.clone(), Arc::clone(&counters));
            set.spawn(async move { held.run(gate, rx, &counters).await });
        }

        wait_until_opened(&counters, requested as u64).await;
        let open_secs = started.elapsed().as_secs_f64();
        progress.finish();
        let open = counters.ok.load(Ordering::Relaxed);
        let failed = counters.errors.load(Ordering::Relaxed);
        eprintln!("hold: {open} connections open, {failed} failed; holding for {hold_for:?}");
        if let Some(path) = &args.ready_file {
            let ready = serde_json::json!({ "open": open, "failed": failed });
            std::fs::write(path, ready.to_string())
                .map_err(|e| format!("--ready-file {}: {e}", path.display()))?;
        }

        let held_from = Instant::now();
        let _ = deadline_tx.send(Some(held_from + hold_for));
        let (alive, error_kinds) = collect(&mut set).await;
        Ok::<_, String>(HoldReport {
            mode: "hold",
            label: load.label.clone(),
            target: load.target.clone(),
            requested,
            open,
            failed,
            alive_at_end: alive,
            open_secs,
            held_secs: held_from.elapsed().as_secs_f64(),
            error_kinds,
        })
    })?;

    publish(&report, load.json.as_deref())?;
    let all_alive = report.alive_at_end == requested as u64;
    Ok(if all_alive { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One connection to open and keep.
struct HeldConnection {
    target: Target,
    config: Arc<ClientConfig>,
    timeout: Duration,
    ping: Duration,
}

impl HeldConnection {
    async fn run(
        self,
        gate: Arc<Semaphore>,
        mut deadline: watch::Receiver<Option<Instant>>,
        counters: &Counters,
    ) -> Held {
        let permit = gate.acquire_owned().await;
        let opened = tokio::time::timeout(self.timeout, self.open()).await;
        drop(permit);
        let (mut connection, mut reader) = match opened.unwrap_or(Err(OpError::Timeout)) {
            Ok(open) => {
                counters.ok.fetch_add(1, Ordering::Relaxed);
                open
            }
            Err(error) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                return Held::Lost(error);
            }
        };

        let mut next_ping = Instant::now() + self.ping;
        loop {
            let end = *deadline.borrow();
            let wake = end.map_or(next_ping, |end| end.min(next_ping));
            tokio::select! {
                _ = tokio::time::sleep_until(wake.into()) => {}
                _ = deadline.changed() => continue,
            }
            let request = client::request(&mut connection, &self.target, &mut reader);
            let answered =
                tokio::time::timeout(self.timeout, request).await.unwrap_or(Err(OpError::Timeout));
            let reuse = match answered {
                Ok(reuse) => reuse,
                Err(error) => return Held::Lost(error),
            };
            if end.is_some_and(|end| Instant::now() >= end) {
                return Held::Alive;
            }
            if reuse == Reuse::Closing {
                return Held::Lost(OpError::ServerClosed);
            }
            next_ping = Instant::now() + self.ping;
        }
    }

    async fn open(&self) -> Result<(client::Connection, ResponseReader), OpError> {
        let (mut connection, _) = client::open(&self.config, &self.target).await?;
        let mut reader = ResponseReader::new();
        client::request(&mut connection, &self.target, &mut reader).await?;
        Ok((connection, reader))
    }
}

async fn wait_until_opened(counters: &Counters, requested: u64) {
    loop {
        let done = counters.ok.load(Ordering::Relaxed) + counters.errors.load(Ordering::Relaxed);
        if done >= requested {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn collect(set: &mut JoinSet<Held>) -> (u64, BTreeMap<String, u64>) {
    let mut alive = 0;
    let mut kinds = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Held::Alive) => alive += 1,
            Ok(Held::Lost(error)) => *kinds.entry(error.kind()).or_default() += 1,
            Err(error) => *kinds.entry(format!("task failed: {error}")).or_default() += 1,
        }
    }
    (alive, kinds)
}

fn publish(report: &HoldReport, json: Option<&std::path::Path>) -> Result<(), String> {
    println!(
        "hold {}: {} of {} connections opened in {:.1} s, {} alive after {:.1} s",
        report.target,
        report.open,
        report.requested,
        report.open_secs,
        report.alive_at_end,
        report.held_secs
    );
    for (kind, count) in &report.error_kinds {
        println!("  error {count} x {kind}");
    }
    let Some(path) = json else { return Ok(()) };
    let text = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("--json {}: {e}", path.display()))
}

/// Refuses to start when the open-files limit cannot hold the connections: the failures would
/// otherwise look like the server's. Raise it with `ulimit -n` first.
fn check_descriptor_limit(connections: usize) -> Result<(), String> {
    let Some(limit) = open_files_limit() else { return Ok(()) };
    let needed = connections as u64 + SPARE_DESCRIPTORS;
    if needed <= limit {
        return Ok(());
    }
    Err(format!(
        "--connections {connections} needs about {needed} open files but the limit is {limit}; \
         raise it with `ulimit -n {needed}`"
    ))
}

/// The soft limit on open files, read from /proc/self/limits (Linux); `None` elsewhere or when
/// unlimited.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_connections_than_descriptors_is_refused_before_starting() {
        let limit = open_files_limit().expect("Linux reports the open-files limit");
        let error = check_descriptor_limit(limit as usize).unwrap_err();
        assert!(error.contains("ulimit -n"), "{error}");
        assert!(check_descriptor_limit(1).is_ok());
    }
}
