//! The `tenantry` command line.

fn main() {}
