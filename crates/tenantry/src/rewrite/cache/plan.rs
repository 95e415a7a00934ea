//! A rewrite plan: the scoped SQL and the recipe that binds a tenant into it.
//!
//! Planning parses; binding does not. Binding checks the tenant's type against every scoped
//! table touched, checks the values written to tenant columns, and places the tenant value
//! among the statement's own values.

use sea_orm::{Statement, Value, Values};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::tenant::{TenantId, TenantIdType};

/// A literal written to a tenant column, checked against the tenant at bind time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Literal {
    /// A quoted string (`'…'`).
    Text(String),
    /// A number, as written.
    Number(String),
    /// `NULL`.
    Null,
}

/// Where a value written to a tenant column comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The statement's bound value at this index.
    Param(usize),
    /// A literal in the SQL text.
    Literal(Literal),
}

/// A value that must denote the current tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Check {
    pub(crate) source: Source,
    pub(crate) table: String,
    pub(crate) column: String,
}

/// A scoped table whose tenant column has a declared id type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TypeCheck {
    pub(crate) table: String,
    pub(crate) column: String,
    pub(crate) expected: TenantIdType,
}

/// One value of the rewritten statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The statement's own value at this index.
    Original(usize),
    /// The tenant.
    Tenant,
}

/// How the tenant value joins the statement's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Slots {
    /// Not at all (the SQL does not mention the tenant).
    Unused,
    /// Appended once at the end (PostgreSQL's `$N+1`).
    Append,
    /// Inserted at these final positions (ascending); original values keep their order.
    Insert(Vec<usize>),
    /// The final values, in order (original values reordered by the printer).
    Map(Vec<Slot>),
}

impl Slots {
    /// The cheapest recipe equivalent to `slots`.
    pub(crate) fn from_slots(slots: Vec<Slot>) -> Self {
        let mut next = 0;
        let in_order = slots.iter().all(|s| match s {
            Slot::Original(i) if *i == next => {
                next += 1;
                true
            }
            Slot::Original(_) => false,
            Slot::Tenant => true,
        });
        if !slots.contains(&Slot::Tenant) && in_order {
            return Self::Unused;
        }
        if in_order {
            Self::Insert(
                slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| **s == Slot::Tenant)
                    .map(|(i, _)| i)
                    .collect(),
            )
        } else {
            Self::Map(slots)
        }
    }
}

/// The plan for one SQL text on one backend, valid for one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The scoped SQL; `None` when it equals the input.
    pub(crate) sql: Option<String>,
    /// How many values the input must carry.
    pub(crate) params: usize,
    /// Where the tenant value goes.
    pub(crate) slots: Slots,
    /// Values that must denote the tenant.
    pub(crate) checks: Vec<Check>,
    /// Declared id types of the scoped tables touched.
    pub(crate) types: Vec<TypeCheck>,
}

impl Plan {
    /// Roughly the bytes the plan holds on the heap: its text and its per-value tables.
    pub(crate) fn weight(&self) -> usize {
        let slots = match &self.slots {
            Slots::Unused | Slots::Append => 0,
            Slots::Insert(v) => v.len() * size_of::<usize>(),
            Slots::Map(v) => v.len() * size_of::<Slot>(),
        };
        size_of::<Self>()
            + self.sql.as_ref().map_or(0, String::capacity)
            + slots
            + self.checks.len() * size_of::<Check>()
            + self.types.len() * size_of::<TypeCheck>()
    }

    /// Binds `tenant` into `stmt` (whose SQL is the planned text).
    pub(crate) fn bind(&self, mut stmt: Statement, tenant: &TenantId) -> Result<Statement> {
        for t in &self.types {
            if t.expected != tenant.id_type() {
                return Err(Error::TenantTypeMismatch {
                    table: t.table.clone(),
                    column: t.column.clone(),
                    expected: t.expected,
                    found: tenant.id_type(),
                    tenant: tenant.clone(),
                });
            }
        }
        let given = stmt.values.as_ref().map_or(0, |v| v.0.len());
        if given != self.params {
            return Err(Error::ValueCount {
                placeholders: self.params,
                values: given,
            });
        }
        for c in &self.checks {
            check(c, stmt.values.as_ref(), tenant)?;
        }
        if let Some(sql) = &self.sql {
            // Reuses the statement's buffer when it is large enough.
            stmt.sql.clear();
            stmt.sql.push_str(sql);
        }
        match &self.slots {
            Slots::Unused => {}
            Slots::Append => {
                let v = &mut stmt.values.get_or_insert_with(|| Values(Vec::new())).0;
                v.push(tenant.to_value());
            }
            Slots::Insert(at) => {
                let v = &mut stmt.values.get_or_insert_with(|| Values(Vec::new())).0;
                insert_at(v, at, tenant);
            }
            Slots::Map(map) => {
                let original = stmt.values.take().map(|v| v.0).unwrap_or_default();
                stmt.values = Some(Values(
                    map.iter()
                        .map(|s| match s {
                            Slot::Tenant => tenant.to_value(),
                            Slot::Original(i) => {
                                original.get(*i).cloned().unwrap_or(Value::Int(None))
                            }
                        })
                        .collect(),
                ));
            }
        }
        Ok(stmt)
    }
}

/// Puts the tenant at the final positions `at` (ascending) of `values`, in place: the
/// original values keep their order and move up past each tenant position.
fn insert_at(values: &mut Vec<Value>, at: &[usize], tenant: &TenantId) {
    let original = values.len();
    let total = original + at.len();
    // Common case (a filled tenant column at the end of a one-row INSERT): append.
    if at.first().is_some_and(|&p| p >= original) {
        values.reserve_exact(at.len());
        for _ in at {
            values.push(tenant.to_value());
        }
        return;
    }
    values.resize(total, Value::Int(None));
    // From the back: each final position takes the tenant or the next original value down.
    let mut src = original;
    let mut next = at.len();
    for dst in (0..total).rev() {
        if next > 0 && at[next - 1] == dst {
            next -= 1;
            values[dst] = tenant.to_value();
        } else if src > 0 {
            src -= 1;
            values.swap(dst, src);
        }
    }
}

fn check(c: &Check, values: Option<&Values>, tenant: &TenantId) -> Result<()> {
    let (ok, found) = match &c.source {
        Source::Param(i) => match values.and_then(|v| v.0.get(*i)) {
            Some(v) => (tenant.matches_value(v), render(v)),
            None => (false, "a missing value".to_owned()),
        },
        Source::Literal(l) => (literal_matches(l, tenant), literal_text(l)),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::CrossTenantWrite {
            table: c.table.clone(),
            column: c.column.clone(),
            tenant: tenant.clone(),
            found,
        })
    }
}

fn literal_matches(l: &Literal, tenant: &TenantId) -> bool {
    match (l, tenant) {
        (Literal::Text(s), TenantId::Uuid(u)) => Uuid::parse_str(s).is_ok_and(|p| p == *u),
        (Literal::Text(s) | Literal::Number(s), TenantId::I32(i)) => {
            s.trim().parse::<i64>() == Ok(i64::from(*i))
        }
        (Literal::Text(s) | Literal::Number(s), TenantId::I64(i)) => {
            s.trim().parse::<i64>() == Ok(*i)
        }
        (Literal::Text(s), TenantId::String(t)) => s.as_str() == t.as_ref(),
        _ => false,
    }
}

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Text(s) => format!("'{s}'"),
        Literal::Number(n) => n.clone(),
        Literal::Null => "NULL".to_owned(),
    }
}

/// A bound value as shown in messages.
pub(crate) fn render(v: &Value) -> String {
    match v {
        Value::Uuid(Some(u)) => u.to_string(),
        Value::String(Some(s)) => format!("'{s}'"),
        Value::TinyInt(Some(i)) => i.to_string(),
        Value::SmallInt(Some(i)) => i.to_string(),
        Value::Int(Some(i)) => i.to_string(),
        Value::BigInt(Some(i)) => i.to_string(),
        Value::TinyUnsigned(Some(i)) => i.to_string(),
        Value::SmallUnsigned(Some(i)) => i.to_string(),
        Value::Unsigned(Some(i)) => i.to_string(),
        Value::BigUnsigned(Some(i)) => i.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;
    use sea_orm::DbBackend;

    fn stmt(values: Vec<Value>) -> Statement {
        Statement {
            sql: "x".into(),
            values: Some(Values(values)),
            db_backend: DbBackend::Sqlite,
        }
    }

    fn plan(slots: Slots, params: usize) -> Plan {
        Plan {
            sql: Some("y".into()),
            params,
            slots,
            checks: vec![],
            types: vec![],
        }
    }

    #[test]
    fn slots_choose_the_cheapest_recipe() {
        use Slot::*;
        assert_eq!(
            Slots::from_slots(vec![Original(0), Original(1)]),
            Slots::Unused
        );
        assert_eq!(
            Slots::from_slots(vec![Tenant, Original(0), Tenant, Original(1)]),
            Slots::Insert(vec![0, 2])
        );
        assert_eq!(
            Slots::from_slots(vec![Original(1), Tenant, Original(0)]),
            Slots::Map(vec![Original(1), Tenant, Original(0)])
        );
    }

    #[test]
    fn inserts_the_tenant_at_its_positions() {
        let t = TenantId::from(9_i64);
        let out = plan(Slots::Insert(vec![0, 2, 4]), 2)
            .bind(stmt(vec![Value::Int(Some(1)), Value::Int(Some(2))]), &t)
            .unwrap();
        assert_eq!(out.sql, "y");
        let v: Vec<String> = out.values.unwrap().0.iter().map(render).collect();
        assert_eq!(v, ["9", "1", "9", "2", "9"]);
    }

    #[test]
    fn inserting_in_place_matches_merging() {
        let t = TenantId::from(9_i64);
        // Every set of tenant positions among up to 7 final values.
        for total in 0..7_usize {
            for mask in 0..(1_u32 << total) {
                let at: Vec<usize> = (0..total).filter(|i| mask & (1 << i) != 0).collect();
                let original: Vec<Value> = (0..total - at.len())
                    .map(|i| Value::Int(Some(i32::try_from(i).unwrap())))
                    .collect();
                let mut expected = Vec::new();
                let mut next = original.iter();
                for i in 0..total {
                    if at.contains(&i) {
                        expected.push(t.to_value());
                    } else {
                        expected.push(next.next().unwrap().clone());
                    }
                }
                let mut got = original.clone();
                insert_at(&mut got, &at, &t);
                assert_eq!(got, expected, "{at:?}");
            }
        }
    }

    #[test]
    fn appends_and_maps() {
        let t = TenantId::from(9_i64);
        let out = plan(Slots::Append, 1)
            .bind(stmt(vec![Value::Int(Some(1))]), &t)
            .unwrap();
        let v: Vec<String> = out.values.unwrap().0.iter().map(render).collect();
        assert_eq!(v, ["1", "9"]);
        let map = Slots::Map(vec![Slot::Original(1), Slot::Tenant, Slot::Original(0)]);
        let out = plan(map, 2)
            .bind(stmt(vec![Value::Int(Some(1)), Value::Int(Some(2))]), &t)
            .unwrap();
        let v: Vec<String> = out.values.unwrap().0.iter().map(render).collect();
        assert_eq!(v, ["2", "9", "1"]);
    }

    #[test]
    fn checks_counts_types_and_tenant_values() {
        let t = TenantId::from(9_i64);
        let err = plan(Slots::Append, 2)
            .bind(stmt(vec![Value::Int(Some(1))]), &t)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::ValueCount {
                placeholders: 2,
                values: 1
            }
        ));
        let mut p = plan(Slots::Unused, 1);
        p.checks.push(Check {
            source: Source::Param(0),
            table: "orders".into(),
            column: "tenant_id".into(),
        });
        assert!(p.bind(stmt(vec![Value::BigInt(Some(9))]), &t).is_ok());
        let err = p.bind(stmt(vec![Value::BigInt(Some(8))]), &t).unwrap_err();
        assert!(matches!(err, Error::CrossTenantWrite { .. }), "{err}");
        p.checks[0].source = Source::Literal(Literal::Number("9".into()));
        assert!(p.bind(stmt(vec![Value::BigInt(Some(8))]), &t).is_ok());
        p.checks[0].source = Source::Literal(Literal::Null);
        assert!(p.bind(stmt(vec![Value::BigInt(Some(8))]), &t).is_err());
        p.checks.clear();
        p.types.push(TypeCheck {
            table: "orders".into(),
            column: "tenant_id".into(),
            expected: TenantIdType::Uuid,
        });
        let err = p.bind(stmt(vec![Value::BigInt(Some(8))]), &t).unwrap_err();
        assert!(matches!(err, Error::TenantTypeMismatch { .. }));
    }

    #[test]
    fn uuid_literals_compare_as_uuids() {
        let u = Uuid::from_u128(0xabcd_ef01_2345_6789_abcd_ef01_2345_6789);
        let l = Literal::Text(u.to_string().to_uppercase());
        assert!(literal_matches(&l, &TenantId::from(u)));
        assert!(!literal_matches(
            &l,
            &TenantId::from(u.to_string().as_str())
        ));
    }
}
