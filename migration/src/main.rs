//! Migration CLI.
fn main() {}
