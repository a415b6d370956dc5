//! The load modes that count operations: logins (a handshake and one request each, full or
//! resumed) and keep-alive requests over connections opened before the clock starts.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::args::LoadArgs;
use crate::cards::{self, Card};
use crate::client::{self, Connection, OpError, Reuse, Target, TlsSettings};
use crate::http1::ResponseReader;
use crate::progress::{Counters, Limits, Progress};
use crate::report::{Report, ReportHead, Tally};

/// Pause after a failed connection before the next try, so that a server that refuses
/// connections is not hammered in a tight loop (the failures are still counted).
const BACKOFF_AFTER_ERROR: Duration = Duration::from_millis(10);

/// Handshakes in flight while the keep-alive modes open their connections.
const OPEN_PARALLEL: usize = 64;

/// A load mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Handshake,
    Resumed,
    Keepalive,
    Concurrent,
    Logins,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Handshake => "handshake",
            Mode::Resumed => "resumed",
            Mode::Keepalive => "keepalive",
            Mode::Concurrent => "concurrent",
            Mode::Logins => "logins",
        }
    }

    fn default_connections(self) -> usize {
        match self {
            Mode::Handshake | Mode::Resumed | Mode::Logins => 16,
            Mode::Keepalive => 4,
            Mode::Concurrent => 1000,
        }
    }

    fn keeps_alive(self) -> bool {
        matches!(self, Mode::Keepalive | Mode::Concurrent)
    }
}

/// Shared by the workers of one run: where to go, when to stop, what has been done.
pub struct Plan {
    pub target: Target,
    pub deadline: Instant,
    pub count: Option<u64>,
    pub timeout: Duration,
    pub counters: Arc<Counters>,
    claimed: AtomicU64,
}

impl Plan {
    pub fn new(target: Target, limits: Limits, timeout: Duration, counters: Arc<Counters>) -> Self {
        let deadline = Instant::now() + limits.duration;
        let count = limits.count;
        Self { target, deadline, count, timeout, counters, claimed: AtomicU64::new(0) }
    }

    /// Takes the right to one more operation; false once the time or the count is used up.
    pub fn claim(&self) -> bool {
        if Instant::now() >= self.deadline {
            return false;
        }
        let Some(count) = self.count else { return true };
        self.claimed.fetch_add(1, Ordering::Relaxed) < count
    }

    fn succeeded(&self, tally: &mut Tally, started: Instant) {
        tally.record(started.elapsed());
        self.counters.ok.fetch_add(1, Ordering::Relaxed);
    }

    async fn failed(&self, tally: &mut Tally, error: &OpError) {
        tally.error(error.kind());
        self.counters.errors.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(BACKOFF_AFTER_ERROR).await;
    }
}

/// Runs `mode` as the arguments say, prints the report and writes its JSON.
///
/// Exit status 0 when at least one operation succeeded (errors are reported, not fatal), 1 when
/// none did.
pub fn main(mode: Mode, args: &LoadArgs) -> Result<ExitCode, String> {
    let target = Target::new(args.target_addr()?, &args.server_name, &args.path)?;
    let duration = args.duration_limit()?;
    let timeout = args.op_timeout()?;
    let cards = cards::load(args)?;
    let settings = TlsSettings::new(&args.ca, args.tls)?;
    let connections = args.connections.unwrap_or(mode.default_connections()).max(1);
    let count = match mode {
        Mode::Logins => Some(args.count.unwrap_or(cards.len() as u64)),
        _ => args.count,
    };
    let limits = Limits { duration, count };

    let runtime = runtime(args.threads)?;
    let (tally, elapsed) = runtime.block_on(async {
        let counters = Arc::new(Counters::default());
        let progress = Progress::start(args.progress, mode.name(), Arc::clone(&counters), limits);
        let result = if mode.keeps_alive() {
            keepalive_run(&settings, &cards, target.clone(), connections, limits, timeout, counters)
                .await
        } else {
            let pickers = pickers(mode, &settings, &cards, connections)?;
            let plan = Arc::new(Plan::new(target.clone(), limits, timeout, counters));
            let started = Instant::now();
            let tally =
                join_all(pickers.into_iter().map(|p| login_worker(Arc::clone(&plan), p))).await;
            Ok((tally, started.elapsed()))
        };
        progress.finish();
        result
    })?;

    let head = ReportHead {
        mode: mode.name(),
        label: args.label.clone(),
        target: args.target.clone(),
        operation: if mode.keeps_alive() { "request" } else { "login" },
        connections,
    };
    let report = Report::new(head, tally, elapsed);
    report.publish(args.json.as_deref())?;
    Ok(if report.ok > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A multi-thread runtime with `threads` workers (default: the CPUs this process may use).
pub fn runtime(threads: Option<usize>) -> Result<tokio::runtime::Runtime, String> {
    let threads =
        threads.or_else(|| std::thread::available_parallelism().ok().map(|n| n.get())).unwrap_or(1);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Which client settings a login worker uses for its next login.
enum CardPicker {
    /// Always the same settings (one card, or a resuming worker's own session store).
    Fixed(Arc<ClientConfig>),
    /// The cards in turn, shared by all workers, so each card's first login comes once.
    InTurn(Arc<[Arc<ClientConfig>]>, Arc<AtomicUsize>),
}

impl CardPicker {
    fn next(&self) -> Arc<ClientConfig> {
        match self {
            CardPicker::Fixed(config) => Arc::clone(config),
            CardPicker::InTurn(configs, next) => {
                let at = next.fetch_add(1, Ordering::Relaxed) % configs.len().max(1);
                configs.get(at).map(Arc::clone).unwrap_or_else(|| Arc::clone(&configs[0]))
            }
        }
    }
}

/// One picker per worker. Resuming workers each get their own settings, so that each resumes
/// its own session; the others share the cards in turn.
fn pickers(
    mode: Mode,
    settings: &TlsSettings,
    cards: &[Card],
    workers: usize,
) -> Result<Vec<CardPicker>, String> {
    if mode == Mode::Resumed {
        let card = |i: usize| &cards[i % cards.len()];
        return (0..workers)
            .map(|i| settings.config(card(i), true).map(CardPicker::Fixed))
            .collect();
    }
    let configs: Arc<[Arc<ClientConfig>]> =
        cards.iter().map(|card| settings.config(card, false)).collect::<Result<_, _>>()?;
    let next = Arc::new(AtomicUsize::new(0));
    Ok((0..workers).map(|_| CardPicker::InTurn(Arc::clone(&configs), Arc::clone(&next))).collect())
}

async fn login_worker(plan: Arc<Plan>, picker: CardPicker) -> Tally {
    let mut tally = Tally::default();
    while plan.claim() {
        let config = picker.next();
        let started = Instant::now();
        match tokio::time::timeout(plan.timeout, client::login(&config, &plan.target)).await {
            Ok(Ok(resumed)) => {
                plan.succeeded(&mut tally, started);
                tally.handshakes += 1;
                tally.resumed += u64::from(resumed);
            }
            Ok(Err(error)) => plan.failed(&mut tally, &error).await,
            Err(_) => plan.failed(&mut tally, &OpError::Timeout).await,
        }
    }
    tally
}

/// Opens every connection first, then starts the clock and sends requests on all of them.
async fn keepalive_run(
    settings: &TlsSettings,
    cards: &[Card],
    target: Target,
    connections: usize,
    limits: Limits,
    timeout: Duration,
    counters: Arc<Counters>,
) -> Result<(Tally, Duration), String> {
    let per_card: Vec<Arc<ClientConfig>> =
        cards.iter().map(|card| settings.config(card, false)).collect::<Result<_, _>>()?;
    let configs: Vec<Arc<ClientConfig>> =
        (0..connections).map(|i| Arc::clone(&per_card[i % per_card.len()])).collect();
    let (opened, mut tally) = open_all(&configs, &target, timeout, OPEN_PARALLEL).await;

    let plan = Arc::new(Plan::new(target, limits, timeout, counters));
    let started = Instant::now();
    let workers = configs
        .into_iter()
        .zip(opened)
        .map(|(config, connection)| keepalive_worker(Arc::clone(&plan), config, connection));
    tally.merge(join_all(workers).await);
    Ok((tally, started.elapsed()))
}

/// Opens one connection per settings, `parallel` handshakes at a time. Failures are tallied and
/// leave `None` in their place.
pub async fn open_all(
    configs: &[Arc<ClientConfig>],
    target: &Target,
    timeout: Duration,
    parallel: usize,
) -> (Vec<Option<Connection>>, Tally) {
    let gate = Arc::new(Semaphore::new(parallel.max(1)));
    let mut set = JoinSet::new();
    for (index, config) in configs.iter().enumerate() {
        let (gate, config, target) = (Arc::clone(&gate), Arc::clone(config), target.clone());
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let opened = tokio::time::timeout(timeout, client::open(&config, &target)).await;
            (index, opened.unwrap_or(Err(OpError::Timeout)))
        });
    }
    let mut opened: Vec<Option<Connection>> = (0..configs.len()).map(|_| None).collect();
    let mut tally = Tally::default();
    while let Some(Ok((index, result))) = set.join_next().await {
        match result {
            Ok((connection, _)) => {
                tally.handshakes += 1;
                if let Some(slot) = opened.get_mut(index) {
                    *slot = Some(connection);
                }
            }
            Err(error) => tally.error(error.kind()),
        }
    }
    (opened, tally)
}

async fn keepalive_worker(
    plan: Arc<Plan>,
    config: Arc<ClientConfig>,
    mut connection: Option<Connection>,
) -> Tally {
    let mut tally = Tally::default();
    let mut reader = ResponseReader::new();
    while plan.claim() {
        let started = Instant::now();
        let result = tokio::time::timeout(plan.timeout, async {
            if connection.is_none() {
                let (opened, _) = client::open(&config, &plan.target).await?;
                connection = Some(opened);
                reader = ResponseReader::new();
            }
            match connection.as_mut() {
                Some(open) => client::request(open, &plan.target, &mut reader).await,
                None => Err(OpError::Timeout),
            }
        });
        match result.await {
            Ok(Ok(Reuse::KeepAlive)) => plan.succeeded(&mut tally, started),
            Ok(Ok(Reuse::Closing)) => {
                plan.succeeded(&mut tally, started);
                connection = None;
            }
            Ok(Err(error)) => {
                connection = None;
                plan.failed(&mut tally, &error).await;
            }
            Err(_) => {
                connection = None;
                plan.failed(&mut tally, &OpError::Timeout).await;
            }
        }
    }
    tally
}

/// Runs the workers on the runtime's threads and merges their tallies.
async fn join_all<F>(workers: impl Iterator<Item = F>) -> Tally
where
    F: std::future::Future<Output = Tally> + Send + 'static,
{
    let mut set = JoinSet::new();
    for worker in workers {
        set.spawn(worker);
    }
    let mut total = Tally::default();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(tally) => total.merge(tally),
            Err(error) => total.error(format!("worker failed: {error}")),
        }
    }
    total
}
