//! Counting and summing up: each worker keeps a [`Tally`]; at the end they are merged into a
//! [`Report`] with the rate, latency percentiles and errors by kind.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

/// Distinct error kinds kept; further kinds are counted under "other". A run against a broken
/// server would otherwise collect one kind per odd message.
const MAX_ERROR_KINDS: usize = 32;

/// What one worker saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Latency of each successful operation, in microseconds.
    pub latencies_us: Vec<u32>,
    pub errors: BTreeMap<String, u64>,
    /// Handshakes the server resumed.
    pub resumed: u64,
    /// Handshakes made (full or resumed), including those of keep-alive connections.
    pub handshakes: u64,
}

impl Tally {
    pub fn record(&mut self, latency: Duration) {
        let micros = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(micros);
    }

    pub fn error(&mut self, kind: String) {
        let kinds = self.errors.len();
        let key = if kinds < MAX_ERROR_KINDS || self.errors.contains_key(&kind) {
            kind
        } else {
            "other".to_owned()
        };
        *self.errors.entry(key).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
        self.resumed += other.resumed;
        self.handshakes += other.handshakes;
    }
}

/// Latency percentiles in microseconds.
#[derive(Debug, Serialize, PartialEq)]
pub struct Latency {
    pub p50_us: u32,
    pub p90_us: u32,
    pub p99_us: u32,
    pub p999_us: u32,
    pub max_us: u32,
    pub mean_us: u32,
}

/// The result of one run, as printed and written to `--json`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub mode: &'static str,
    pub label: String,
    pub target: String,
    /// What one counted operation is: "login" (handshake + request) or "request".
    pub operation: &'static str,
    pub connections: usize,
    pub elapsed_secs: f64,
    pub ok: u64,
    pub errors: u64,
    pub error_kinds: BTreeMap<String, u64>,
    /// Successful operations per second of elapsed time.
    pub rate_per_sec: f64,
    pub handshakes: u64,
    pub resumed: u64,
    pub latency: Option<Latency>,
}

impl Report {
    /// Sums up a merged tally. `elapsed` is the measured time, not the requested duration.
    pub fn new(head: ReportHead, mut tally: Tally, elapsed: Duration) -> Self {
        tally.latencies_us.sort_unstable();
        let ok = tally.latencies_us.len() as u64;
        let secs = elapsed.as_secs_f64().max(f64::EPSILON);
        Report {
            mode: head.mode,
            label: head.label,
            target: head.target,
            operation: head.operation,
            connections: head.connections,
            elapsed_secs: secs,
            ok,
            errors: tally.errors.values().sum(),
            rate_per_sec: ok as f64 / secs,
            handshakes: tally.handshakes,
            resumed: tally.resumed,
            latency: latency(&tally.latencies_us),
            error_kinds: tally.errors,
        }
    }

    /// Prints the summary on stdout and writes the JSON file when asked. A reader that has gone
    /// away (`| head -1`) does not stop the JSON from being written.
    pub fn publish(&self, json: Option<&Path>) -> Result<(), String> {
        match writeln!(std::io::stdout().lock(), "{}", self.summary()) {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(format!("cannot print the summary: {error}"))
            }
            _ => {}
        }
        let Some(path) = json else { return Ok(()) };
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("--json {}: {e}", path.display()))
    }

    fn summary(&self) -> String {
        let mut text = format!(
            "{} {}: {} {}s ok, {} errors in {:.1} s = {:.0}/s over {} connections",
            self.mode,
            self.target,
            self.ok,
            self.operation,
            self.errors,
            self.elapsed_secs,
            self.rate_per_sec,
            self.connections
        );
        if let Some(l) = &self.latency {
            let ms = |us: u32| f64::from(us) / 1000.0;
            text += &format!(
                "\n  latency ms: p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
                ms(l.p50_us),
                ms(l.p99_us),
                ms(l.p999_us),
                ms(l.max_us)
            );
        }
        text += &format!("\n  handshakes {} (resumed {})", self.handshakes, self.resumed);
        for (kind, count) in &self.error_kinds {
            text += &format!("\n  error {count} x {kind}");
        }
        text
    }
}

/// The parts of a report known before the run.
pub struct ReportHead {
    pub mode: &'static str,
    pub label: String,
    pub target: String,
    pub operation: &'static str,
    pub connections: usize,
}

/// Percentiles of sorted latencies by the nearest-rank method; `None` when there are none.
pub fn latency(sorted_us: &[u32]) -> Option<Latency> {
    let last = *sorted_us.last()?;
    let rank = |q: f64| {
        let index = ((q * sorted_us.len() as f64).ceil() as usize).saturating_sub(1);
        sorted_us.get(index).copied().unwrap_or(last)
    };
    let sum: u64 = sorted_us.iter().map(|&us| u64::from(us)).sum();
    Some(Latency {
        p50_us: rank(0.50),
        p90_us: rank(0.90),
        p99_us: rank(0.99),
        p999_us: rank(0.999),
        max_us: last,
        mean_us: u32::try_from(sum / sorted_us.len() as u64).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<u32> = (1..=1000).collect();
        let l = latency(&sorted).unwrap();
        assert_eq!((l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us), (500, 900, 990, 999, 1000));
        assert_eq!(l.mean_us, 500);
    }

    #[test]
    fn one_sample_is_every_percentile_and_none_is_none() {
        let l = latency(&[7]).unwrap();
        assert_eq!((l.p50_us, l.p999_us, l.max_us), (7, 7, 7));
        assert_eq!(latency(&[]), None);
    }

    #[test]
    fn error_kinds_beyond_the_cap_are_counted_as_other() {
        let mut tally = Tally::default();
        for i in 0..MAX_ERROR_KINDS + 5 {
            tally.error(format!("kind {i}"));
        }
        tally.error("kind 0".into());
        assert_eq!(tally.errors.len(), MAX_ERROR_KINDS + 1);
        assert_eq!(tally.errors["other"], 5);
        assert_eq!(tally.errors["kind 0"], 2);
    }
}
