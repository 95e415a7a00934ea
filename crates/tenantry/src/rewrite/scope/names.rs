//! Names as each database resolves them: identifier folding, table lookup, quoting.
//!
//! - PostgreSQL folds unquoted identifiers to lower case; quoted ones are exact. A table
//!   registered without a schema lives in the default schema, `public`.
//! - SQLite compares identifiers case-insensitively (ASCII); the default schema is `main`.
//! - MySQL compares table names exactly (the Linux default, `lower_case_table_names=0`); the
//!   schema is the database, which tenantry cannot know.
//!
//! A name that might denote a scoped table is treated as that table (fail closed): an
//! unqualified name matching a table registered in some schema, or a name qualified with an
//! unregistered schema whose bare name is registered without a schema. Scoping a table that
//! turns out not to be the scoped one can only make the statement fail, never leak.

use std::borrow::Cow;

use sea_orm::DbBackend;
use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::keywords::ALL_KEYWORDS;

use crate::error::{Error, Result};
use crate::registry::{Registry, ScopedTable};

/// The SQL dialect of a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Flavor {
    /// PostgreSQL: `$n` placeholders.
    Postgres,
    /// MySQL / MariaDB: `?` placeholders.
    MySql,
    /// SQLite: `?` placeholders.
    Sqlite,
}

/// How deeply the parser lets expressions, subqueries and joins nest: deeper text is refused
/// with [`Error::Parse`](crate::Error::Parse). It bounds the recursion of the parser and of
/// every pass over the tree (the rewriter's, the read-back check's, the audit's), so that no
/// statement can exhaust a thread's stack. 50 (`sqlparser`'s default) allows about 43 levels
/// of parentheses or 10 of nested subqueries (`tests/hostile_limits.rs` measures both), more
/// than SeaORM's statements or the TPC-H and Citus queries of the external suite use.
pub const PARSE_DEPTH: usize = 50;

/// The stack the parser keeps free before it grows a new segment.
const PARSER_HEADROOM: usize = 1024 * 1024;

static POSTGRES: PostgreSqlDialect = PostgreSqlDialect {};
static MYSQL: MySqlDialect = MySqlDialect {};
static SQLITE: SQLiteDialect = SQLiteDialect {};

impl Flavor {
    /// The flavor of a SeaORM backend.
    pub(crate) fn of(backend: DbBackend) -> Result<Self> {
        match backend {
            DbBackend::Postgres => Ok(Self::Postgres),
            DbBackend::MySql => Ok(Self::MySql),
            DbBackend::Sqlite => Ok(Self::Sqlite),
            #[allow(unreachable_patterns)]
            other => Err(Error::Forbidden {
                what: format!("statements for backend {other:?}"),
                reason: "tenantry rewrites PostgreSQL, MySQL and SQLite statements only".into(),
            }),
        }
    }

    /// A small index, for per-backend tables.
    pub(crate) fn index(self) -> usize {
        match self {
            Self::Postgres => 0,
            Self::MySql => 1,
            Self::Sqlite => 2,
        }
    }

    /// The parser dialect.
    pub(crate) fn dialect(self) -> &'static dyn Dialect {
        match self {
            Self::Postgres => &POSTGRES,
            Self::MySql => &MYSQL,
            Self::Sqlite => &SQLITE,
        }
    }

    /// A parser for the dialect, with the depth limit set ([`PARSE_DEPTH`]).
    ///
    /// The parser grows its stack when it runs low (`sqlparser`'s `recursive-protection`); the
    /// headroom it keeps before growing is raised to [`PARSER_HEADROOM`] once, because one
    /// nesting level of a subquery takes more than the default 128 KiB of stack in an
    /// unoptimised build, which then overflows a 2 MiB thread (a tokio worker's).
    pub(crate) fn parser(self) -> sqlparser::parser::Parser<'static> {
        static HEADROOM: std::sync::Once = std::sync::Once::new();
        HEADROOM.call_once(|| {
            if recursive::get_minimum_stack_size() < PARSER_HEADROOM {
                recursive::set_minimum_stack_size(PARSER_HEADROOM);
            }
        });
        sqlparser::parser::Parser::new(self.dialect()).with_recursion_limit(PARSE_DEPTH)
    }

    /// The schema a table registered without one lives in, when the database has a fixed one.
    fn default_schema(self) -> Option<&'static str> {
        match self {
            Self::Postgres => Some("public"),
            Self::Sqlite => Some("main"),
            Self::MySql => None,
        }
    }

    /// An identifier as the database compares it.
    pub(crate) fn fold<'a>(self, ident: &'a Ident) -> Cow<'a, str> {
        match self {
            Self::Postgres if ident.quote_style.is_none() => lower(&ident.value),
            Self::Postgres | Self::MySql => Cow::Borrowed(&ident.value),
            Self::Sqlite => lower(&ident.value),
        }
    }

    /// A CTE name as the database compares it: like other identifiers, except on MySQL and
    /// MariaDB, where CTE names ignore case even though table names do not.
    pub(crate) fn fold_cte<'a>(self, ident: &'a Ident) -> Cow<'a, str> {
        match self {
            Self::MySql => lower(&ident.value),
            Self::Postgres | Self::Sqlite => self.fold(ident),
        }
    }

    /// A catalogue name (as registered) as the database compares it.
    pub(crate) fn fold_catalogue<'a>(self, name: &'a str) -> Cow<'a, str> {
        match self {
            Self::Postgres | Self::MySql => Cow::Borrowed(name),
            Self::Sqlite => lower(name),
        }
    }

    /// An identifier for a catalogue name, quoted when the database needs it.
    pub(crate) fn ident(self, name: &str) -> Ident {
        if self.is_plain(name) {
            Ident::new(name)
        } else {
            match self {
                Self::MySql => Ident::with_quote('`', name),
                Self::Postgres | Self::Sqlite => Ident::with_quote('"', name),
            }
        }
    }

    fn is_plain(self, name: &str) -> bool {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| {
            c == '_' || c.is_ascii_lowercase() || (self != Self::Postgres && c.is_ascii_uppercase())
        });
        let rest_ok = chars.all(|c| {
            c == '_'
                || c.is_ascii_digit()
                || c.is_ascii_lowercase()
                || (self != Self::Postgres && c.is_ascii_uppercase())
        });
        first_ok && rest_ok && !is_keyword(name)
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether `name` is an SQL keyword (of any dialect sqlparser knows).
pub(crate) fn is_keyword(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ALL_KEYWORDS.binary_search(&upper.as_str()).is_ok()
}

/// The identifier parts of a name, or `None` when a part is not a plain identifier.
pub(crate) fn idents(name: &ObjectName) -> Option<Vec<&Ident>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i),
            ObjectNamePart::Function(_) => None,
        })
        .collect()
}

/// Whether the name refers to PostgreSQL's per-session temporary schema.
pub(crate) fn is_pg_temp(flavor: Flavor, name: &ObjectName) -> bool {
    name.0.iter().any(|p| match p {
        ObjectNamePart::Identifier(i) => {
            let f = flavor.fold(i);
            let f = f.to_ascii_lowercase();
            f == "pg_temp" || f.starts_with("pg_temp_")
        }
        ObjectNamePart::Function(_) => false,
    })
}

/// The scoped table a name in a FROM position denotes, if any.
pub(crate) fn resolve<'r>(
    flavor: Flavor,
    registry: &'r Registry,
    name: &ObjectName,
) -> Result<Option<&'r ScopedTable>> {
    let Some(parts) = idents(name) else {
        return Ok(None);
    };
    let Some((last, rest)) = parts.split_last() else {
        return Ok(None);
    };
    let bare = flavor.fold(last);
    let candidates: Vec<&ScopedTable> = registry
        .tables()
        .iter()
        .filter(|t| flavor.fold_catalogue(t.name()) == bare)
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let schema = rest.last().map(|s| flavor.fold(s));
    let unqualified = candidates.iter().find(|t| t.schema().is_none()).copied();
    let found = match schema {
        None => match unqualified {
            Some(t) => Some(t),
            None => {
                let first = candidates[0];
                if candidates.iter().all(|t| t.column() == first.column()) {
                    Some(first)
                } else {
                    return Err(Error::Unprovable {
                        table: name.to_string(),
                        reason: "the name matches scoped tables in several schemas with different tenant columns; qualify it with its schema".into(),
                    });
                }
            }
        },
        Some(schema) => {
            let exact = candidates.iter().find(|t| {
                t.schema()
                    .is_some_and(|s| flavor.fold_catalogue(s) == schema)
            });
            match exact {
                Some(t) => Some(*t),
                None if flavor.default_schema() == Some(schema.as_ref()) => unqualified,
                // An unknown schema may be the connection's default one: fail closed.
                None => unqualified,
            }
        }
    };
    Ok(found)
}

/// How a table reference is named in predicates: its alias, or its name as written.
///
/// SQLite accepts `'orders'` as a table name but reads `'orders'.col` as a string: such
/// parts are written with double quotes.
pub(crate) fn qualifier(name: &ObjectName, alias: Option<&Ident>) -> Vec<Ident> {
    let parts: Vec<Ident> = match alias {
        Some(a) => vec![a.clone()],
        None => idents(name)
            .map(|parts| parts.into_iter().cloned().collect())
            .unwrap_or_default(),
    };
    parts
        .into_iter()
        .map(|mut i| {
            if i.quote_style == Some('\'') {
                i.quote_style = Some('"');
            }
            i
        })
        .collect()
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;

    fn name(parts: &[(&str, Option<char>)]) -> ObjectName {
        ObjectName(
            parts
                .iter()
                .map(|(v, q)| {
                    ObjectNamePart::Identifier(match q {
                        Some(q) => Ident::with_quote(*q, *v),
                        None => Ident::new(*v),
                    })
                })
                .collect(),
        )
    }

    fn registry() -> Registry {
        Registry::new()
            .table("orders", "tenant_id")
            .table("Mixed", "tenant_id")
            .table("billing.invoices", "org_id")
    }

    fn found(flavor: Flavor, parts: &[(&str, Option<char>)]) -> Option<String> {
        let r = registry();
        resolve(flavor, &r, &name(parts))
            .unwrap()
            .map(|t| t.to_string())
    }

    #[test]
    fn postgres_folds_unquoted_names() {
        let pg = Flavor::Postgres;
        assert_eq!(found(pg, &[("Orders", None)]).as_deref(), Some("orders"));
        assert_eq!(
            found(pg, &[("orders", Some('"'))]).as_deref(),
            Some("orders")
        );
        assert_eq!(found(pg, &[("Orders", Some('"'))]), None);
        assert_eq!(found(pg, &[("Mixed", Some('"'))]).as_deref(), Some("Mixed"));
        assert_eq!(found(pg, &[("Mixed", None)]), None);
        assert_eq!(
            found(pg, &[("public", None), ("orders", None)]).as_deref(),
            Some("orders")
        );
        assert_eq!(
            found(pg, &[("app", None), ("orders", Some('"'))]).as_deref(),
            Some("orders")
        );
        assert_eq!(
            found(pg, &[("billing", None), ("invoices", None)]).as_deref(),
            Some("billing.invoices")
        );
        assert_eq!(found(pg, &[("archive", None), ("invoices", None)]), None);
        assert_eq!(
            found(pg, &[("invoices", None)]).as_deref(),
            Some("billing.invoices")
        );
        assert_eq!(found(pg, &[("products", None)]), None);
    }

    #[test]
    fn sqlite_ignores_case_and_mysql_respects_it() {
        assert_eq!(
            found(Flavor::Sqlite, &[("ORDERS", Some('"'))]).as_deref(),
            Some("orders")
        );
        assert_eq!(
            found(Flavor::Sqlite, &[("mixed", None)]).as_deref(),
            Some("Mixed")
        );
        assert_eq!(
            found(Flavor::Sqlite, &[("MAIN", None), ("orders", None)]).as_deref(),
            Some("orders")
        );
        assert_eq!(found(Flavor::MySql, &[("Orders", None)]), None);
        assert_eq!(
            found(Flavor::MySql, &[("Mixed", Some('`'))]).as_deref(),
            Some("Mixed")
        );
        assert_eq!(
            found(Flavor::MySql, &[("shop", None), ("orders", None)]).as_deref(),
            Some("orders")
        );
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(Flavor::Postgres.ident("tenant_id").to_string(), "tenant_id");
        assert_eq!(
            Flavor::Postgres.ident("TenantId").to_string(),
            "\"TenantId\""
        );
        assert_eq!(Flavor::Postgres.ident("user").to_string(), "\"user\"");
        assert_eq!(Flavor::MySql.ident("TenantId").to_string(), "TenantId");
        assert_eq!(Flavor::MySql.ident("org id").to_string(), "`org id`");
        assert_eq!(Flavor::Sqlite.ident("select").to_string(), "\"select\"");
    }

    #[test]
    fn detects_pg_temp() {
        assert!(is_pg_temp(
            Flavor::Postgres,
            &name(&[("pg_temp", None), ("t", None)])
        ));
        assert!(is_pg_temp(
            Flavor::Postgres,
            &name(&[("PG_TEMP_3", None), ("t", None)])
        ));
        assert!(!is_pg_temp(
            Flavor::Postgres,
            &name(&[("public", None), ("t", None)])
        ));
    }
}
