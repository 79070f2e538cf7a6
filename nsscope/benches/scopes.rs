//! Cost of nsscope's scopes against a raw `setns` pair, in one run on one namespace.
//!
//! Run as root: `cargo bench -p nsscope --bench scopes --all-features`, on an otherwise idle
//! machine. To see the cost on a shared one, run `sh -c 'while :; do :; done' &` first (and
//! kill it afterwards): `Worker::run` rises (2.1× measured on two cores) and `run`'s ratio
//! scatters around its bound (0.86–1.42 measured), as thread creation does.
//!
//! Each time is the best of several rounds of the mean time per operation, the rounds of the
//! different operations interleaved so that drift hits them alike. Each ratio is the median
//! over rounds of the ratio within a round (an operation against its baseline measured right
//! beside it, in alternating order), so that a drift between rounds cancels: thread creation,
//! `run`'s baseline, varies by a third from one second to the next on a small machine.
//!
//! The bounds: `run` within 1.2× a thread spawn and join plus a raw pair; `Worker::run`
//! within 3× a raw pair; `run_here` within 2.2× a raw pair, the accepted bound for its
//! restore, which asks the kernel where the thread is instead of trusting a cache (see the
//! crate docs, "Cost").

use std::hint::black_box;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use nsscope::{Namespace, NetNs, NsKind};

const ROUNDS: usize = 15;
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

/// The middle value (the upper one of an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
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

    let run_scope = || {
        target.run(|h| black_box(h.id())).expect("run");
    };
    let spawn_join = || {
        std::thread::spawn(|| black_box(0)).join().expect("join");
    };
    let mut best = [Duration::MAX; 5];
    let mut ratios: [Vec<f64>; 3] = Default::default();
    for round in 0..ROUNDS {
        let raw = time_per_op(20_000, raw_pair);
        let here = time_per_op(20_000, || {
            target.run_here(|h| black_box(h.id())).expect("run_here");
        });
        let work = time_per_op(20_000, || {
            worker.run(|h| black_box(h.id())).expect("Worker::run");
        });
        let (run, spawn) = if round % 2 == 0 {
            let run = time_per_op(1_000, run_scope);
            (run, time_per_op(1_000, spawn_join))
        } else {
            let spawn = time_per_op(1_000, spawn_join);
            (time_per_op(1_000, run_scope), spawn)
        };
        for (b, r) in best.iter_mut().zip([raw, here, work, run, spawn]) {
            *b = (*b).min(r);
        }
        let [raw, here, work, run, spawn] = [raw, here, work, run, spawn].map(ns);
        ratios[0].push(here / raw);
        ratios[1].push(work / raw);
        ratios[2].push(run / (spawn + raw));
    }
    let [raw, here, work, run, spawn] = best.map(ns);
    let [here_ratio, work_ratio, run_ratio] = ratios.map(median);

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
    println!(
        "{:<34}{:>8}{:>9}",
        "ratio (median of rounds)", "measured", "bound"
    );
    for (name, ratio, bound) in [
        ("run_here / raw pair", here_ratio, RUN_HERE_BOUND),
        ("Worker::run / raw pair", work_ratio, 3.0),
        ("run / (spawn+join + raw pair)", run_ratio, 1.2),
    ] {
        let verdict = if ratio <= bound { "ok" } else { "MISSED" };
        println!("{name:<34}{ratio:>8.2}{bound:>7.1}x  {verdict}");
    }
}
