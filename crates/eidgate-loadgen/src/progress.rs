//! The progress line on stderr, redrawn in place with `\r` while a run goes on.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::args::ProgressChoice;

/// How often the line is redrawn: often enough to look alive, rarely enough to cost nothing.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

/// Width of the bar in characters.
const BAR_WIDTH: usize = 24;

/// Counters the workers bump and the progress line reads.
#[derive(Debug, Default)]
pub struct Counters {
    pub ok: AtomicU64,
    pub errors: AtomicU64,
}

/// What the bar is measured against: the time limit, and the count limit if there is one.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub duration: Duration,
    pub count: Option<u64>,
}

/// A running progress line; [`Progress::finish`] erases it.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts drawing unless `choice` says not to (or, for `auto`, stderr is no terminal).
    pub fn start(
        choice: ProgressChoice,
        label: &'static str,
        counters: Arc<Counters>,
        limits: Limits,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let draw = match choice {
            ProgressChoice::Always => true,
            ProgressChoice::Never => false,
            ProgressChoice::Auto => std::io::stderr().is_terminal(),
        };
        if !draw {
            return Self { stop, thread: None };
        }
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || draw_until(&flag, label, &counters, limits));
        Self { stop, thread: Some(thread) }
    }

    /// Stops drawing and clears the line.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            eprint!("\r{:width$}\r", "", width = 100);
        }
    }
}

fn draw_until(stop: &AtomicBool, label: &str, counters: &Counters, limits: Limits) {
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(REDRAW_EVERY);
        let ok = counters.ok.load(Ordering::Relaxed);
        let errors = counters.errors.load(Ordering::Relaxed);
        let line = line(label, started.elapsed(), ok, errors, limits);
        eprint!("\r{line}");
        let _ = std::io::stderr().flush();
    }
}

/// One rendering of the line, e.g. `handshake [######------] 5.0/10 s  ok 5000  err 0  1000/s`.
fn line(label: &str, elapsed: Duration, ok: u64, errors: u64, limits: Limits) -> String {
    let by_time = elapsed.as_secs_f64() / limits.duration.as_secs_f64();
    let by_count = limits.count.map_or(0.0, |count| (ok + errors) as f64 / count.max(1) as f64);
    let done = by_time.max(by_count).clamp(0.0, 1.0);
    let filled = (done * BAR_WIDTH as f64).round() as usize;
    let rate = ok as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "{label} [{}{}] {:.1}/{:.0} s  ok {ok}  err {errors}  {rate:.0}/s  ",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        elapsed.as_secs_f64(),
        limits.duration.as_secs_f64(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_follows_whichever_limit_is_closer() {
        let limits = Limits { duration: Duration::from_secs(10), count: Some(100) };
        let half_time = line("x", Duration::from_secs(5), 10, 0, limits);
        assert!(
            half_time.starts_with("x [############------------] 5.0/10 s  ok 10"),
            "{half_time}"
        );
        let most_count = line("x", Duration::from_secs(1), 70, 5, limits);
        assert!(most_count.contains(&format!("[{}{}]", "#".repeat(18), "-".repeat(6))));
        assert!(most_count.contains("err 5  70/s"), "{most_count}");
    }
}
