//! Keys: primary and unique keys, foreign keys (and the order they impose), indexes.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::ConnectionTrait;

use super::rows::{get, name_of, query, split};
use super::tables::{TenantTable, oid_list};
use crate::error::Result;
use crate::sql::QualifiedName;

/// `string_agg` of a key's column names in key order (`<key>` is an `int2[]` expression).
fn columns_of(key: &str, rel: &str, limit: &str) -> String {
    format!(
        "COALESCE((SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
           FROM unnest({key}) WITH ORDINALITY k(attnum, ord) \
           JOIN pg_catalog.pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum \
           WHERE {limit}), '')"
    )
}

/// A foreign key declared on one of the tables asked about (partitions' inherited copies
/// left out: the parent's constraint stands for them).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForeignKey {
    /// The constraint's name.
    pub name: String,
    /// The referencing table's `oid`.
    pub table_oid: i64,
    /// The referencing table.
    pub table: QualifiedName,
    /// The referencing columns, in key order.
    pub columns: Vec<String>,
    /// The referenced table's `oid` (a tenant table or not).
    pub target_oid: i64,
    /// The referenced table.
    pub target: QualifiedName,
    /// The referenced columns, paired with [`columns`](Self::columns).
    pub target_columns: Vec<String>,
    /// `ON DELETE`, as `pg_constraint.confdeltype` (`a` no action, `r` restrict, `c` cascade,
    /// `n` set null, `d` set default).
    pub on_delete: String,
    /// `ON UPDATE`, as `pg_constraint.confupdtype`.
    pub on_update: String,
}

/// Every foreign key declared on one of `tables`, whatever it references, sorted by name.
pub async fn foreign_keys(
    db: &impl ConnectionTrait,
    tables: &[TenantTable],
) -> Result<Vec<ForeignKey>> {
    let sql = format!(
        "SELECT con.conname::text AS name, con.conrelid::bigint AS rel, \
           con.confrelid::bigint AS target, \
           sn.nspname::text AS nspname, sc.relname::text AS relname, \
           tn.nspname::text AS target_schema, tc.relname::text AS target_name, \
           {} AS cols, {} AS target_cols, \
           con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update \
         FROM pg_catalog.pg_constraint con \
         JOIN pg_catalog.pg_class sc ON sc.oid = con.conrelid \
         JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace \
         JOIN pg_catalog.pg_class tc ON tc.oid = con.confrelid \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
         WHERE con.contype = 'f' AND con.conparentid = 0 AND con.conrelid IN ({}) \
         ORDER BY con.conname",
        columns_of("con.conkey", "con.conrelid", "true"),
        columns_of("con.confkey", "con.confrelid", "true"),
        oid_list(tables)
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        out.push(ForeignKey {
            name: get(&row, "name")?,
            table_oid: get(&row, "rel")?,
            table: name_of(&row)?,
            columns: split(&get::<String>(&row, "cols")?),
            target_oid: get(&row, "target")?,
            target: QualifiedName::qualified(
                get::<String>(&row, "target_schema")?,
                get::<String>(&row, "target_name")?,
            ),
            target_columns: split(&get::<String>(&row, "target_cols")?),
            on_delete: get(&row, "on_delete")?,
            on_update: get(&row, "on_update")?,
        });
    }
    Ok(out)
}

/// `tables` ordered so that every table comes after the tables its foreign keys reference
/// (among `tables`; references to other tables and to itself impose nothing): the order to
/// copy rows in, and reversed, the order to delete them in.
///
/// Tables on a cycle of foreign keys (and the tables that reference them) cannot all come
/// after each other: they are returned in the second list, in input order, and the first
/// holds everything else (copy them with the keys deferred, `SET CONSTRAINTS ALL DEFERRED`,
/// where the keys are deferrable).
///
/// ```
/// use tenantry::catalog::postgres::dependency_order;
/// // orders → customers, order_items → orders: copy customers, then orders, then items.
/// let (order, cyclic) = dependency_order(&[3, 2, 1], &[(2, 1), (3, 2)]);
/// assert_eq!(order, [1, 2, 3]);
/// assert!(cyclic.is_empty());
/// ```
pub fn dependency_order(tables: &[i64], references: &[(i64, i64)]) -> (Vec<i64>, Vec<i64>) {
    let known: BTreeSet<i64> = tables.iter().copied().collect();
    // table → the tables it references (that must come first).
    let mut needs: BTreeMap<i64, BTreeSet<i64>> =
        known.iter().map(|&t| (t, BTreeSet::new())).collect();
    for &(from, to) in references {
        if from != to && known.contains(&from) && known.contains(&to) {
            needs.entry(from).or_default().insert(to);
        }
    }
    let mut order = Vec::with_capacity(tables.len());
    let mut placed = BTreeSet::new();
    // Kahn's algorithm, keeping the input order among tables that are ready together.
    loop {
        let ready: Vec<i64> = tables
            .iter()
            .copied()
            .filter(|t| !placed.contains(t) && needs[t].iter().all(|n| placed.contains(n)))
            .collect();
        if ready.is_empty() {
            break;
        }
        for t in ready {
            if placed.insert(t) {
                order.push(t);
            }
        }
    }
    let mut cyclic: Vec<i64> = tables
        .iter()
        .copied()
        .filter(|t| !placed.contains(t))
        .collect();
    cyclic.dedup();
    (order, cyclic)
}

/// What a [`Key`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// The primary key.
    Primary,
    /// A `UNIQUE` constraint.
    UniqueConstraint,
    /// A unique index that no constraint owns.
    UniqueIndex,
}

/// A primary key, unique constraint or unique index on one of the tables asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Key {
    /// The table's `oid`.
    pub table_oid: i64,
    /// What it is.
    pub kind: KeyKind,
    /// The index behind it.
    pub index: String,
    /// The constraint's name, when a constraint owns the index.
    pub constraint: Option<String>,
    /// The key columns, in order (expression columns left out).
    pub columns: Vec<String>,
    /// Whether the index has expressions or a predicate (a partial index).
    pub complex: bool,
}

/// Every primary key, unique constraint and unique index on `tables`, sorted by index name.
pub async fn keys(db: &impl ConnectionTrait, tables: &[TenantTable]) -> Result<Vec<Key>> {
    let sql = format!(
        "SELECT i.indrelid::bigint AS rel, ic.relname::text AS index_name, \
           con.conname::text AS constraint_name, i.indisprimary, \
           (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL) AS complex, {} AS cols \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid \
           AND con.conrelid = i.indrelid AND con.contype IN ('u', 'p') \
         WHERE i.indisunique AND i.indrelid IN ({}) \
         ORDER BY ic.relname",
        columns_of("i.indkey::int2[]", "i.indrelid", "k.ord <= i.indnkeyatts"),
        oid_list(tables)
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        let constraint: Option<String> = get(&row, "constraint_name")?;
        let kind = if get::<bool>(&row, "indisprimary")? {
            KeyKind::Primary
        } else if constraint.is_some() {
            KeyKind::UniqueConstraint
        } else {
            KeyKind::UniqueIndex
        };
        out.push(Key {
            table_oid: get(&row, "rel")?,
            kind,
            index: get(&row, "index_name")?,
            constraint,
            columns: split(&get::<String>(&row, "cols")?),
            complex: get(&row, "complex")?,
        });
    }
    Ok(out)
}

/// For each valid, non-partial index on `tables`: (table `oid`, its first column's name).
pub async fn index_leaders(
    db: &impl ConnectionTrait,
    tables: &[TenantTable],
) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT i.indrelid::bigint AS rel, a.attname::text AS first \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
         WHERE i.indrelid IN ({}) AND i.indisvalid AND i.indpred IS NULL",
        oid_list(tables)
    );
    query(db, &sql)
        .await?
        .iter()
        .map(|row| Ok((get(row, "rel")?, get(row, "first")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::dependency_order;

    #[test]
    fn parents_first_input_order_kept_among_peers() {
        // 10 → 20 → 30; 40 independent; 50 → 30 and → 10.
        let (order, cyclic) = dependency_order(
            &[50, 40, 30, 20, 10],
            &[(10, 20), (20, 30), (50, 30), (50, 10)],
        );
        assert_eq!(order, [40, 30, 20, 10, 50]);
        assert!(cyclic.is_empty());
    }

    #[test]
    fn self_references_and_outside_targets_impose_nothing() {
        let (order, cyclic) = dependency_order(&[2, 1], &[(1, 1), (2, 99), (1, 2)]);
        assert_eq!(order, [2, 1]);
        assert!(cyclic.is_empty());
    }

    #[test]
    fn cycles_are_set_apart() {
        // 1 ⇄ 2, 3 → 1, 4 alone.
        let (order, cyclic) = dependency_order(&[1, 2, 3, 4], &[(1, 2), (2, 1), (3, 1)]);
        assert_eq!(order, [4]);
        assert_eq!(cyclic, [1, 2, 3]);
    }
}
