//! Cost of nsscope's scopes against a raw `setns` pair, in one run on one namespace.
//!
//! Run as root: `cargo bench -p nsscope --bench scopes --all-features`. The bounds must also
//! hold with the other core busy: run `sh -c 'while :; do :; done' &` first (and kill it
//! afterwards); `Worker::run` is the row that feels it.
//!
//! Each figure is the best of several rounds of the mean time per operation, the rounds of
//! the different operations interleaved so that drift hits them alike.
//!
//! The bounds: `run` within 1.2× a thread spawn and join plus a raw pair; `Worker::run`
//! within 3× a raw pair; `run_here` within 2.2× a raw pair, the accepted bound for its
//! restore, which asks the kernel where the thread is instead of trusting a cache (see the
//! crate docs, "Cost").

use std::hint::black_box;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use nsscope::{Namespace, NetNs, NsKind};

const ROUNDS: usize = 7;
/// `run_here`'s accepted bound against a raw pair: the verified restore's kernel query costs
/// about as much as the pair itself.
const RUN_HERE_BOUND: f64 = 2.2;

fn time_per_op(iterations: u32, mut op: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        op();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        op();
    }
    start.elapsed() / iterations
}

fn ns(d: Duration) -> f64 {
    d.as_secs_f64() * 1e9
}

fn main() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("scopes bench: needs root (CAP_SYS_ADMIN) to enter namespaces; skipped");
        return;
    }
    let target = NetNs::new().expect("create a network namespace");
    let host = Namespace::current(NsKind::Net).expect("open the host namespace");
    let target_fd = target.as_fd().as_raw_fd();
    let host_fd = host.as_fd().as_raw_fd();
    let worker = target.worker().expect("start a worker");

    let raw_pair = || {
        // SAFETY: plain system calls on fds that stay open.
        // nslint: allow(raw_namespace_switch) -- the benchmark's baseline: the bare switch nsscope wraps
        let a = unsafe { libc::setns(target_fd, libc::CLONE_NEWNET) };
        // nslint: allow(raw_namespace_switch) -- the baseline's switch back
        let b = unsafe { libc::setns(host_fd, libc::CLONE_NEWNET) };
        assert!(a == 0 && b == 0, "raw setns failed");
    };

    let mut best = [Duration::MAX; 5];
    for _ in 0..ROUNDS {
        let round = [
            time_per_op(20_000, raw_pair),
            time_per_op(20_000, || {
                target.run_here(|h| black_box(h.id())).expect("run_here");
            }),
            time_per_op(20_000, || {
                worker.run(|h| black_box(h.id())).expect("Worker::run");
            }),
            time_per_op(1_000, || {
                target.run(|h| black_box(h.id())).expect("run");
            }),
            time_per_op(1_000, || {
                std::thread::spawn(|| black_box(0)).join().expect("join");
            }),
        ];
        for (b, r) in best.iter_mut().zip(round) {
            *b = (*b).min(r);
        }
    }
    let [raw, here, work, run, spawn] = best.map(ns);

    println!("nsscope scopes, best of {ROUNDS} rounds, same namespace ({target})");
    println!("{:<28}{:>12}", "operation", "ns/op");
    for (name, t) in [
        ("raw setns pair", raw),
        ("run_here", here),
        ("Worker::run", work),
        ("run", run),
        ("thread::spawn + join", spawn),
    ] {
        println!("{name:<28}{t:>12.0}");
    }
    println!();
    println!("{:<34}{:>8}{:>9}", "ratio", "measured", "bound");
    for (name, ratio, bound) in [
        ("run_here / raw pair", here / raw, RUN_HERE_BOUND),
        ("Worker::run / raw pair", work / raw, 3.0),
        ("run / (spawn+join + raw pair)", run / (spawn + raw), 1.2),
    ] {
        let verdict = if ratio <= bound { "ok" } else { "MISSED" };
        println!("{name:<34}{ratio:>8.2}{bound:>7.1}x  {verdict}");
    }
}
