//! Bodies stream through eidgate: a 1 GiB upload (HTTP/1.1, with `Expect: 100-continue`) and a
//! 1 GiB download (h2) pass whole while eidgate's peak resident memory stays bounded.

mod support;

use std::fs::File;

use support::upstream::TestUpstream;
use support::{card_args, run, serve_with, temp_dir, Server};

const GIB: u64 = 1 << 30;

/// Peak resident memory allowed for the whole eidgate process. The debug build peaks near
/// 20 MiB during both transfers; collecting either body would need more than 1 GiB.
const PEAK_RSS_LIMIT_KIB: u64 = 64 * 1024;

#[test]
fn a_gigabyte_goes_up_and_down_in_bounded_memory() {
    let app = TestUpstream::tcp();
    let server = serve_with(
        "streaming",
        &format!("[[route]]\nprefix = \"/\"\nupstream = \"{}\"\n", app.url()),
    );

    // A sparse file: a gigabyte of zeros that takes no disk space.
    let file = temp_dir("streaming-file").join("gigabyte.bin");
    File::create(&file).unwrap().set_len(GIB).unwrap();

    let upload = transfer(
        &server,
        &["--http1.1", "-T", &file.display().to_string(), "-w", "\n%{http_code}"],
        "/upload",
    );
    assert!(upload.ends_with("\n200"), "{upload}");
    assert!(upload.contains(&format!("body-bytes: {GIB}")), "{upload}");
    assert_eq!(app.last().header("content-length"), Some(GIB.to_string()));
    assert_eq!(app.last().header("expect"), None);

    let path = format!("/download?bytes={GIB}");
    let download = transfer(
        &server,
        &["--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version} %{size_download}"],
        &path,
    );
    assert_eq!(download, format!("200 2 {GIB}"));

    let peak = peak_rss_kib(server.pid());
    assert!(peak < PEAK_RSS_LIMIT_KIB, "eidgate peaked at {peak} KiB of resident memory");
}

/// Runs curl with the valid card and `args` against `path`; returns its standard output.
fn transfer(server: &Server, args: &[&str], path: &str) -> String {
    let card = card_args(server, "valid");
    let url = server.url(path);
    let ca = server.server_ca();
    let mut all = vec!["-sS", "--max-time", "300", "--cacert", &ca];
    all.extend(card.iter().map(String::as_str));
    all.extend_from_slice(args);
    all.push(&url);
    let output = run("curl", &all);
    assert!(
        output.status.success(),
        "curl {path}: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `VmHWM` (peak resident set) of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).expect("VmHWM line");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmHWM value")
}
