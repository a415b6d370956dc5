//! `summarize DIR`: the comparison table. Reads the results `bench/compare` left in DIR, takes
//! the median of each measurement over the rounds, and prints one Markdown table with the
//! eidgate/nginx ratio of every row.
//!
//! DIR holds load reports named `ROUND.SCENARIO.SERVER.json` (what `--json` writes), other
//! measurements as lines of `extra.tsv` (`ROUND SCENARIO SERVER METRIC VALUE`, tab-separated),
//! and optionally `floor.json` from `crypto-floor --json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use crate::args::SummarizeArgs;

/// Values of one measurement per server, one per round.
type Measurements = BTreeMap<(String, String), BTreeMap<String, Vec<f64>>>;

/// Whether a larger or a smaller number is the better one.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
}

/// The rows of the table, in order: scenario, metric, description, direction.
const ROWS: &[(&str, &str, &str, Better)] = &[
    ("full-p384", "rate", "full handshakes/s, P-384 card, warm cache", Better::Higher),
    ("full-p384", "p99_ms", "  p99 latency (ms)", Better::Lower),
    ("full-p384", "cpu_ms", "  server CPU per handshake (ms)", Better::Lower),
    ("full-p384", "per_core", "  handshakes/s one server core can do (1 / CPU)", Better::Higher),
    ("full-rsa", "rate", "full handshakes/s, RSA 2048 card", Better::Higher),
    ("full-rsa", "cpu_ms", "  server CPU per handshake (ms)", Better::Lower),
    ("resumed", "rate", "resumed handshakes/s", Better::Higher),
    ("keepalive", "rate", "keep-alive requests/s, few connections", Better::Higher),
    ("keepalive", "p99_ms", "  p99 latency (ms)", Better::Lower),
    ("keepalive", "cpu_us", "  server CPU per request (µs), handshakes included", Better::Lower),
    ("concurrent", "rate", "requests/s over many connections", Better::Higher),
    ("concurrent", "p99_ms", "  p99 latency (ms)", Better::Lower),
    ("concurrent", "cpu_us", "  server CPU per request (µs), handshakes included", Better::Lower),
    ("fresh-logins", "rate", "fresh logins/s, distinct cards, cold cache", Better::Higher),
    ("fresh-logins", "p99_ms", "  p99 latency of a fresh login (ms)", Better::Lower),
    ("idle", "rss_mib", "resident memory with the idle connections (MiB)", Better::Lower),
    ("idle", "kib_per_conn", "  per idle connection (KiB)", Better::Lower),
];

/// Prints the table for `args.dir`.
pub fn main(args: &SummarizeArgs) -> Result<ExitCode, String> {
    let mut measurements = Measurements::new();
    read_reports(&args.dir, &mut measurements)?;
    read_extra(&args.dir.join("extra.tsv"), &mut measurements)?;
    derive_per_core(&mut measurements);
    if measurements.is_empty() {
        return Err(format!("{}: no results to summarize", args.dir.display()));
    }
    let servers = ["nginx", "eidgate"];
    println!("{}", table(&measurements, servers));
    if let Some(floor) = read_floor(&args.dir.join("floor.json")) {
        println!("{}", floor_lines(&measurements, &floor, servers));
    }
    Ok(ExitCode::SUCCESS)
}

fn read_reports(dir: &Path, into: &mut Measurements) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let parts: Vec<&str> = name.split('.').collect();
        let [_round, scenario, server, "json"] = parts.as_slice() else { continue };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
        let report: Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        for (metric, value) in report_metrics(&report) {
            add(into, scenario, &metric, server, value);
        }
    }
    Ok(())
}

/// The numbers a load report contributes: rate, p99 and errors.
fn report_metrics(report: &Value) -> Vec<(String, f64)> {
    let mut metrics = Vec::new();
    if let Some(rate) = report["rate_per_sec"].as_f64() {
        metrics.push(("rate".to_owned(), rate));
    }
    if let Some(p99) = report["latency"]["p99_us"].as_f64() {
        metrics.push(("p99_ms".to_owned(), p99 / 1000.0));
    }
    if let Some(errors) = report["errors"].as_f64() {
        metrics.push(("errors".to_owned(), errors));
    }
    metrics
}

fn read_extra(path: &Path, into: &mut Measurements) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(()) };
    for (number, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [_round, scenario, server, metric, value] = fields.as_slice() else {
            return Err(format!(
                "{}:{}: expected 5 tab-separated fields",
                path.display(),
                number + 1
            ));
        };
        let value =
            value.parse::<f64>().map_err(|e| format!("{}:{}: {e}", path.display(), number + 1))?;
        add(into, scenario, metric, server, value);
    }
    Ok(())
}

/// The handshakes per second one core could do at the measured CPU time per handshake: the
/// rate with the load generator's own limits taken out.
fn derive_per_core(measurements: &mut Measurements) {
    let derived: Vec<_> = measurements
        .iter()
        .filter(|((_, metric), _)| metric == "cpu_ms")
        .map(|((scenario, _), by_server)| (scenario.clone(), by_server.clone()))
        .collect();
    for (scenario, by_server) in derived {
        for (server, values) in by_server {
            for cpu_ms in values.into_iter().filter(|&v| v > 0.0) {
                add(measurements, &scenario, "per_core", &server, 1000.0 / cpu_ms);
            }
        }
    }
}

fn add(into: &mut Measurements, scenario: &str, metric: &str, server: &str, value: f64) {
    let key = (scenario.to_owned(), metric.to_owned());
    into.entry(key).or_default().entry(server.to_owned()).or_default().push(value);
}

/// The median of the rounds; the mean of the middle two for an even count.
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

fn table(measurements: &Measurements, [first, second]: [&str; 2]) -> String {
    let mut out = format!(
        "| measurement (median of rounds) | {first} | {second} | {second}/{first} | better |\n\
         |---|---:|---:|---:|---|\n"
    );
    for (scenario, metric, description, better) in ROWS {
        let Some(by_server) = measurements.get(&(scenario.to_string(), metric.to_string())) else {
            continue;
        };
        let a = by_server.get(first).and_then(|v| median(v));
        let b = by_server.get(second).and_then(|v| median(v));
        let ratio = match (a, b) {
            (Some(a), Some(b)) if a != 0.0 => format!("{:.2}", b / a),
            _ => "-".to_owned(),
        };
        let better = match better {
            Better::Higher => "higher",
            Better::Lower => "lower",
        };
        out += &format!("| {description} | {} | {} | {ratio} | {better} |\n", cell(a), cell(b));
    }
    let errors = |server: &str| -> f64 {
        measurements
            .iter()
            .filter(|((_, metric), _)| metric == "errors")
            .filter_map(|(_, by_server)| by_server.get(server))
            .flatten()
            // An empty f64 sum is -0; adding 0 prints it as 0.
            .sum::<f64>()
            + 0.0
    };
    out += &format!("| errors, all runs | {} | {} | | |\n", errors(first), errors(second));
    out
}

fn cell(value: Option<f64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn read_floor(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// How each server's CPU per handshake compares with the crypto floor of the same handshake.
fn floor_lines(measurements: &Measurements, floor: &Value, servers: [&str; 2]) -> String {
    let floors = floor["floors"].as_array().cloned().unwrap_or_default();
    let micros =
        |name: &str| floors.iter().find(|f| f["name"] == name).and_then(|f| f["micros"].as_f64());
    let mut out = String::new();
    let pairs = [
        ("full-p384", "server, P-384 card"),
        ("full-p384", "server, P-384 card, CA signature too"),
        ("full-rsa", "server, RSA 2048 card"),
    ];
    for (scenario, floor_name) in pairs {
        let Some(floor_us) = micros(floor_name) else { continue };
        out += &format!(
            "crypto floor, {floor_name}: {:.2} ms of CPU = {:.0} handshakes/s per core",
            floor_us / 1000.0,
            1e6 / floor_us
        );
        let key = (scenario.to_owned(), "cpu_ms".to_owned());
        for server in servers {
            let cpu = measurements.get(&key).and_then(|m| m.get(server)).and_then(|v| median(v));
            if let Some(cpu_ms) = cpu {
                out += &format!("; {server} {:.2}x the floor", cpu_ms * 1000.0 / floor_us);
            }
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn the_table_has_medians_and_the_ratio_per_row() {
        let mut m = Measurements::new();
        for (server, values) in
            [("nginx", [100.0, 300.0, 200.0]), ("eidgate", [600.0, 500.0, 700.0])]
        {
            for value in values {
                add(&mut m, "full-p384", "rate", server, value);
            }
        }
        add(&mut m, "full-p384", "errors", "eidgate", 2.0);
        add(&mut m, "full-p384", "cpu_ms", "eidgate", 1.25);
        derive_per_core(&mut m);
        let text = table(&m, ["nginx", "eidgate"]);
        assert!(
            text.contains(
                "| full handshakes/s, P-384 card, warm cache | 200 | 600 | 3.00 | higher |"
            ),
            "{text}"
        );
        assert!(text.contains("| errors, all runs | 0 | 2 | | |"), "{text}");
        assert!(text.contains("| - | 800 | - | higher |"), "per core from 1.25 ms: {text}");
        assert!(!text.contains("RSA"), "rows without data are left out: {text}");
    }
}
