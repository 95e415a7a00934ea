//! Fail-closed checks (filled in below).
