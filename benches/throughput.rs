//! Stage-by-stage throughput of the pure core on one large file:
//! `cargo bench --bench throughput -- FILE` (bench/bench.py makes a 100 MB one).
//! Prints MB/s for: the token scan, line splitting, keys, and full detection.

use std::time::Instant;

use npmrc_guard::{detect, files, npmrc, tokens};

fn measure(name: &str, bytes: usize, mut f: impl FnMut() -> usize) {
    let mut best = f64::MAX;
    let mut out = 0;
    for _ in 0..3 {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{name:<28} {:8.1} ms  {:7.0} MB/s  ({out})",
        best * 1e3,
        bytes as f64 / 1e6 / best
    );
}

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        println!("usage: cargo bench --bench throughput -- FILE");
        return;
    };
    let src = std::fs::read(&path).expect("readable file");
    let n = src.len();
    measure("tokens::find_tokens", n, || tokens::find_tokens(&src).len());
    measure("npmrc::lines", n, || npmrc::lines(&src).count());
    measure("npmrc::lines + key", n, || {
        npmrc::lines(&src).filter_map(|l| l.key()).count()
    });
    measure("npmrc::lines + entry", n, || {
        npmrc::lines(&src).filter_map(|l| l.entry()).count()
    });
    measure("files::named_values", n, || files::named_values(&src).len());
    measure("detect::detect", n, || detect::detect("f", &src).len());
    measure("detect (every line walked)", n, || {
        detect::detect_every_line("f", &src).len()
    });
}
