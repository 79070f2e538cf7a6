//! `cargo-nslint`: the cargo subcommand; everything lives in the `nslint` library.

/// syn builds and drops millions of small nodes per run; mimalloc serves them from per-thread
/// free lists where glibc's malloc spent about a third of a cold run (see benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay`: its place in `mi_option_e`, the same in mimalloc 2 and 3 (the
/// Rust bindings do not name it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Trees are built and dropped target by target on every worker thread; with the default
    // delay (10 ms) freed pages stayed resident long enough to raise the peak by about a
    // tenth on the 1M-line benchmark corpus. 2 ms returns them without the cost of purging at
    // once (0).
    // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 2) };
    nslint::cli::main()
}
