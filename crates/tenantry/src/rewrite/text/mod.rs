//! The text side of the rewriter: placeholders, and the fast paths that decide from the SQL
//! text alone that a statement needs no parse (the one-row INSERT SeaORM builds, multi-row
//! INSERTs and placeholder lists derived from a cached plan).

pub(crate) mod fidelity;
pub(crate) mod lexer;
pub(crate) mod lists;
pub(crate) mod params;
pub(crate) mod plain_insert;
pub(crate) mod rows;
