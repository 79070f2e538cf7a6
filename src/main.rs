//! `cargo-nslint`: the cargo subcommand; everything lives in the `nslint` library.

/// syn builds and drops millions of small nodes per run; mimalloc serves them from per-thread
/// free lists where glibc's malloc spent about a third of a cold run (see benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    nslint::cli::main()
}
