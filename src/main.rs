//! `cargo-nslint`: the cargo subcommand; everything lives in the `nslint` library.

fn main() -> std::process::ExitCode {
    nslint::cli::main()
}
