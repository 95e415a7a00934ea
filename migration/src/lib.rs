//! Reference migrations.
