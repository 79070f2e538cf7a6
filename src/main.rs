//! `cargo-nslint`: the cargo subcommand; everything lives in the `nslint` library.

/// syn builds and drops millions of small nodes per run; mimalloc serves them from per-thread
/// free lists where glibc's malloc spent about a third of a cold run (see benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay`: its place in `mi_option_e`, the same in mimalloc 2 and 3 (the
/// Rust bindings do not name it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Trees are built and dropped file by file and target by target on every worker thread.
    // Pages freed and taken again within 100 ms stay resident, so the next file's tokens reuse
    // them instead of faulting fresh zeroed pages: against 2 ms, 12-18% less wall time on the
    // bench's real and 1M-line corpora for 5% more peak memory there; 1 s saved more but put
    // the 1M-line corpus over its 300 MiB target (benches/README.md).
    // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 100) };
    nslint::pages::without_huge_pages();
    nslint::cli::main()
}
