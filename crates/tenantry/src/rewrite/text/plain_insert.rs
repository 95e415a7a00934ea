//! The one-row INSERT SeaORM builds, planned from its text without the SQL parser.
//!
//! Exactly `INSERT INTO <name> (<col>, …) VALUES (<p>, …)` optionally followed by
//! ` RETURNING <col>, …`, where every name is quoted the backend's way (`"x"`, MySQL `` `x` ``)
//! and holds only ASCII letters, digits and `_`, the placeholders run `$1, $2, …` (PostgreSQL)
//! or are `?`, and there are as many values as columns. Printed back by the parser such a text
//! is unchanged, so the scoped text is the input with the tenant column and value appended:
//! the same plan the full path makes (tests compare both). Anything else — one more space, a
//! literal, an `ON CONFLICT`, a `pg_temp` name — returns `None` and is planned in full. The
//! text is read with the database's own lexer ([`lexer`]): anything it reads as a string or
//! a comment, or refuses, is not plain.

use sqlparser::ast::{Ident, ObjectName};

use super::lexer::{self, Kind};
use super::rows;
use crate::error::Result;
use crate::registry::Registry;
use crate::rewrite::cache::plan::{Plan, Slot, Slots};
use crate::rewrite::scope::assign::{check_tenant_value, is_tenant_column};
use crate::rewrite::scope::ctx::{self, Ctx};
use crate::rewrite::scope::locate::Source;
use crate::rewrite::scope::names::{self, Flavor};

/// The plan for `sql` if it is a plain one-row INSERT, else `None`.
pub(crate) fn plan(flavor: Flavor, registry: &Registry, sql: &str) -> Option<Result<Plan>> {
    let rows = rows::recognise(flavor, sql, None)?;
    if rows.count != 1 {
        return None;
    }
    let quote = match flavor {
        Flavor::MySql => b'`',
        Flavor::Postgres | Flavor::Sqlite => b'"',
    };
    let mut head = Reader {
        flavor,
        s: rows.prefix,
        at: 0,
        quote,
    };
    head.expect("INSERT INTO ")?;
    let mut name = vec![head.ident()?];
    if head.eat(".") {
        name.push(head.ident()?);
    }
    head.expect(" (")?;
    let mut columns = vec![head.ident()?];
    while head.eat(", ") {
        columns.push(head.ident()?);
    }
    head.expect(") VALUES ")?;
    head.end()?;
    if columns.len() != rows.width {
        return None;
    }
    let mut tail = Reader {
        flavor,
        s: rows.tail,
        at: 0,
        quote,
    };
    if tail.eat(" RETURNING ") {
        tail.ident()?;
        while tail.eat(", ") {
            tail.ident()?;
        }
    }
    tail.end()?;

    let name = ObjectName::from(name);
    // Anything the full path would refuse or judge (pg_temp, system catalogues) takes it.
    if names::is_pg_temp(flavor, &name)
        || crate::rewrite::scope::policy::catalogue::check_write(flavor, "INSERT into", &name)
            .is_err()
    {
        return None;
    }
    Some(scope(flavor, registry, sql, &rows, &name, &columns))
}

/// The plan for the plain INSERT `sql`, recognised as `rows` into table `name`.
fn scope(
    flavor: Flavor,
    registry: &Registry,
    sql: &str,
    rows: &rows::Rows<'_>,
    name: &ObjectName,
    columns: &[Ident],
) -> Result<Plan> {
    let width = rows.width;
    let tenant = match flavor {
        Flavor::Postgres => format!("${}", width + 1),
        Flavor::MySql | Flavor::Sqlite => "?".to_owned(),
    };
    let mut ctx = Ctx::new(
        flavor,
        registry,
        ctx::placeholder(tenant.clone()),
        tenant.clone(),
        Source::new(flavor, sql, Vec::new()),
    );
    let unchanged = |ctx: Ctx<'_>| Plan {
        sql: None,
        params: width,
        slots: Slots::Unused,
        types: ctx.type_checks(),
        checks: ctx.checks,
    };
    let Some(table) = ctx.lookup_target(name)? else {
        return Ok(unchanged(ctx));
    };
    if let Some(i) = columns
        .iter()
        .position(|c| is_tenant_column(flavor, c, table))
    {
        let given = match flavor {
            Flavor::Postgres => format!("${}", i + 1),
            Flavor::MySql | Flavor::Sqlite => format!("?{}", i + 1),
        };
        check_tenant_value(&mut ctx, &ctx::placeholder(given), table)?;
        return Ok(unchanged(ctx));
    }
    let column = flavor.ident(table.column()).to_string();
    let cols_end = rows.prefix.len() - ") VALUES ".len();
    let row_end = rows.prefix.len() + rows.first.len() - 1;
    let mut out = String::with_capacity(sql.len() + column.len() + tenant.len() + 4);
    out.push_str(&sql[..cols_end]);
    out.push_str(", ");
    out.push_str(&column);
    out.push_str(&sql[cols_end..row_end]);
    out.push_str(", ");
    out.push_str(&tenant);
    out.push_str(&sql[row_end..]);
    let slots = match flavor {
        Flavor::Postgres => Slots::Append,
        Flavor::MySql | Flavor::Sqlite => Slots::from_slots(
            (0..width)
                .map(Slot::Original)
                .chain(std::iter::once(Slot::Tenant))
                .collect(),
        ),
    };
    Ok(Plan {
        sql: Some(out),
        params: width,
        slots,
        types: ctx.type_checks(),
        checks: ctx.checks,
    })
}

/// Reads fixed text and quoted names off the front of a string, names as the database's
/// lexer ([`lexer`]) reads them.
struct Reader<'a> {
    /// Whose lexical rules.
    flavor: Flavor,
    /// The text.
    s: &'a str,
    /// How much of it has been read.
    at: usize,
    /// The quote names must be written with.
    quote: u8,
}

impl Reader<'_> {
    /// Reads `text` if the rest starts with it.
    fn eat(&mut self, text: &str) -> bool {
        let found = self
            .s
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(text));
        if found {
            self.at += text.len();
        }
        found
    }

    /// Reads `text`, which the rest must start with.
    fn expect(&mut self, text: &str) -> Option<()> {
        self.eat(text).then_some(())
    }

    /// A name quoted with `quote` that holds only ASCII letters, digits and `_`.
    fn ident(&mut self) -> Option<Ident> {
        let rest = self.s.get(self.at..)?;
        let t = lexer::lex(self.flavor, rest).next()?.ok()?;
        let text = t.text(rest);
        if t.kind != Kind::QuotedIdent || text.as_bytes().first() != Some(&self.quote) {
            return None;
        }
        let name = text.get(1..text.len().checked_sub(1)?)?;
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return None;
        }
        self.at += t.end;
        Some(Ident::with_quote(char::from(self.quote), name))
    }

    /// Whether everything has been read.
    fn end(&self) -> Option<()> {
        (self.at == self.s.len()).then_some(())
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::registry::ScopedTable;
    use crate::rewrite::planner;
    use crate::tenant::TenantIdType;

    fn registry() -> Registry {
        Registry::new()
            .table("orders", "tenant_id")
            .table("Items", "Tenant")
            .table("app.lines", "tenant_id")
            .with_table(
                ScopedTable::new(None, "typed", "tenant_id").with_id_type(TenantIdType::Uuid),
            )
    }

    fn full(flavor: Flavor, sql: &str) -> Result<Plan> {
        planner::plan_parsed(flavor, &registry(), sql, None)
    }

    #[test]
    fn seaorm_inserts_take_the_plain_path() {
        for (flavor, sql) in [
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("customer_id", "status") VALUES ($1, $2)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("status") VALUES ($1) RETURNING "id", "tenant_id""#,
            ),
            (
                Flavor::MySql,
                "INSERT INTO `orders` (`customer_id`, `status`) VALUES (?, ?)",
            ),
            (
                Flavor::Sqlite,
                r#"INSERT INTO "orders" ("tenant_id", "status") VALUES (?, ?) RETURNING "id""#,
            ),
        ] {
            let fast = plan(flavor, &registry(), sql).unwrap().unwrap();
            assert_eq!(fast, full(flavor, sql).unwrap(), "{sql}");
        }
    }

    #[test]
    fn anything_else_is_parsed() {
        for (flavor, sql) in [
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("a") VALUES ('x')"#,
            ),
            (Flavor::Postgres, r#"INSERT INTO orders ("a") VALUES ($1)"#),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders"  ("a") VALUES ($1)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("a", "b") VALUES ($1)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("a") VALUES ($1), ($2)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "pg_temp"."orders" ("a") VALUES ($1)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("a") VALUES ($1) ON CONFLICT DO NOTHING"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("a") VALUES ($1) RETURNING *"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "ord ers" ("a") VALUES ($1)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO U&"orders" ("a") VALUES ($1)"#,
            ),
            (Flavor::MySql, "INSERT INTO `orders` (`a`) VALUES (?) # c"),
            (Flavor::Sqlite, r#"INSERT INTO [orders] ("a") VALUES (?)"#),
            (Flavor::MySql, r#"INSERT INTO "orders" ("a") VALUES (?)"#),
            (
                Flavor::Sqlite,
                r#"INSERT INTO "sqlite_sequence" ("name") VALUES (?)"#,
            ),
            (
                Flavor::Postgres,
                r#"INSERT INTO "pg_catalog"."pg_largeobject" ("a") VALUES ($1)"#,
            ),
            (Flavor::MySql, "INSERT INTO `mysql`.`db` (`a`) VALUES (?)"),
            (Flavor::Sqlite, "INSERT INTO `orders` (`a`) VALUES (?)"),
        ] {
            assert!(plan(flavor, &registry(), sql).is_none(), "{sql}");
        }
    }

    #[test]
    #[ignore = "timing: cargo test --release -- --ignored --nocapture"]
    fn timing() {
        let registry = registry();
        let texts = [
            (
                Flavor::Postgres,
                r#"INSERT INTO "orders" ("customer_id", "status", "total") VALUES ($1, $2, $3) RETURNING "id""#,
            ),
            (
                Flavor::MySql,
                "INSERT INTO `orders` (`customer_id`, `status`, `total`) VALUES (?, ?, ?)",
            ),
        ];
        let per = crate::rewrite::timing::per_call(200_000, &texts, |(flavor, sql)| {
            plan(*flavor, &registry, sql)
        });
        eprintln!("plain_insert::plan: {per:?} per text");
    }

    fn text(
        flavor: Flavor,
        schema: bool,
        table: &str,
        cols: &[String],
        returning: usize,
    ) -> String {
        let q = if flavor == Flavor::MySql { '`' } else { '"' };
        let name = if schema {
            format!("{q}app{q}.{q}{table}{q}")
        } else {
            format!("{q}{table}{q}")
        };
        let cols_sql: Vec<String> = cols.iter().map(|c| format!("{q}{c}{q}")).collect();
        let values: Vec<String> = (1..=cols.len())
            .map(|i| match flavor {
                Flavor::Postgres => format!("${i}"),
                _ => "?".to_owned(),
            })
            .collect();
        let ret: Vec<String> = cols
            .iter()
            .take(returning)
            .map(|c| format!("{q}{c}{q}"))
            .collect();
        let tail = if ret.is_empty() {
            String::new()
        } else {
            format!(" RETURNING {}", ret.join(", "))
        };
        format!(
            "INSERT INTO {name} ({}) VALUES ({}){tail}",
            cols_sql.join(", "),
            values.join(", ")
        )
    }

    proptest! {
        /// The plain path and the parser agree on every text the plain path accepts.
        #[test]
        fn plain_plans_equal_full_plans(
            flavor in prop::sample::select(vec![Flavor::Postgres, Flavor::MySql, Flavor::Sqlite]),
            schema in any::<bool>(),
            table in prop::sample::select(vec!["orders", "Orders", "items", "Items", "lines", "typed", "other", "select"]),
            cols in prop::collection::vec(
                prop::sample::select(vec!["a", "b_1", "tenant_id", "TENANT_ID", "Tenant", "tenant", "id", "from"]),
                1..5,
            ),
            returning in 0..3_usize,
        ) {
            let cols: Vec<String> = cols.into_iter().map(str::to_owned).collect();
            let sql = text(flavor, schema, table, &cols, returning);
            let fast = plan(flavor, &registry(), &sql);
            prop_assert!(fast.is_some(), "not taken: {}", sql);
            let fast = fast.unwrap();
            match (fast, full(flavor, &sql)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", sql),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string(), "{}", sql),
                (a, b) => prop_assert!(false, "{}: {:?} vs {:?}", sql, a, b),
            }
        }
    }
}
