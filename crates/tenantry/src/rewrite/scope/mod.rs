//! The AST scoper: decides, on the parsed statement, where every tenant predicate and tenant
//! value goes, and checks what must be checked before anything runs (functions, catalogues,
//! values written to tenant columns).

pub(crate) mod assign;
pub(crate) mod ctx;
pub(crate) mod delete;
pub(crate) mod exprs;
pub(crate) mod from;
pub(crate) mod insert;
pub(crate) mod locate;
pub(crate) mod names;
pub(crate) mod policy;
pub(crate) mod prepass;
pub(crate) mod query;
pub(crate) mod select;
pub(crate) mod statement;
pub(crate) mod update;
pub(crate) mod upsert;
