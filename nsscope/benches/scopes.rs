//! Scope benchmark (placeholder).
fn main() {}
