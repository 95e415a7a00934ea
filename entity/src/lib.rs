//! Reference entities.
