//! The text side of the rewriter: placeholders, and the fast paths that decide from the SQL
//! text alone that a statement needs no parse (the one-row INSERT SeaORM builds, multi-row
//! INSERTs and placeholder lists derived from a cached plan).
//!
//! [`lexer`] splits SQL the way each database does; the fast paths read texts with it, and
//! [`fidelity`] uses it to refuse texts the SQL parser would read differently from the
//! database (comments, strings and quoted identifiers over other bytes, executable comments,
//! strings whose end depends on a server setting).

pub(crate) mod fidelity;
pub(crate) mod lexer;
pub(crate) mod lists;
pub(crate) mod params;
pub(crate) mod plain_insert;
pub(crate) mod rows;
pub(crate) mod splice;
