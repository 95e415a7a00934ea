//! [`Registry`]: the set of scoped tables.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::functions::FunctionPolicy;
use super::table::{DEFAULT_TENANT_COLUMN, ScopedTable, TableRegistration};
use crate::scoped::TenantScoped;

static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Debug, Default)]
struct Inner {
    tables: Vec<ScopedTable>,
    /// (schema, name) -> index in `tables`.
    index: HashMap<(Option<String>, String), usize>,
    /// Which functions run.
    functions: FunctionPolicy,
}

/// The set of scoped tables a [`TenantDatabase`](crate::TenantDatabase) protects.
///
/// Cheap to clone (an `Arc`). Every registry value has a [`version`](Self::version) unique in
/// the process, so caches keyed on it never serve a plan made for another table set.
///
/// ```
/// use tenantry::Registry;
/// let registry = Registry::new()
///     .table("orders", "tenant_id")
///     .table("billing.invoices", "org_id");
/// assert!(registry.lookup(None, "orders").is_some());
/// assert_eq!(registry.lookup(Some("billing"), "invoices").unwrap().column(), "org_id");
/// ```
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
    version: u64,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("version", &self.version)
            .field("tables", &self.inner.tables)
            .field("functions", &self.inner.functions)
            .finish()
    }
}

impl PartialEq for Registry {
    fn eq(&self, other: &Self) -> bool {
        self.inner.tables == other.inner.tables && self.inner.functions == other.inner.functions
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner::default()),
            version: next_version(),
        }
    }

    /// Every table marked with `#[derive(TenantScoped)]` in the program.
    pub fn from_entities() -> Self {
        let mut registry = Self::new();
        let mut tables: Vec<ScopedTable> = inventory::iter::<TableRegistration>
            .into_iter()
            .map(|r| (r.build)())
            .collect();
        tables.sort_by(|a, b| (a.schema(), a.name()).cmp(&(b.schema(), b.name())));
        for t in tables {
            registry = registry.with_table(t);
        }
        registry
    }

    /// Adds a table by name (`"orders"` or `"schema.orders"`, as stored in the catalogue)
    /// and tenant column. The id type is not declared; see [`with_table`](Self::with_table).
    pub fn table(self, name: &str, column: &str) -> Self {
        let (schema, table) = match name.split_once('.') {
            Some((s, t)) => (Some(s.to_owned()), t.to_owned()),
            None => (None, name.to_owned()),
        };
        self.with_table(ScopedTable::new(schema, table, column))
    }

    /// Adds (or replaces) a table.
    pub fn with_table(mut self, table: ScopedTable) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        let key = (table.schema().map(str::to_owned), table.name().to_owned());
        match inner.index.get(&key) {
            Some(&i) => inner.tables[i] = table,
            None => {
                inner.index.insert(key, inner.tables.len());
                inner.tables.push(table);
            }
        }
        self.version = next_version();
        self
    }

    /// Sets which function calls run through a tenant handle (default:
    /// [`FunctionPolicy::deny_list`]). Plans made for the previous policy are not reused: the
    /// registry gets a new [`version`](Self::version).
    pub fn with_function_policy(mut self, policy: FunctionPolicy) -> Self {
        Arc::make_mut(&mut self.inner).functions = policy;
        self.version = next_version();
        self
    }

    /// The function policy.
    pub fn function_policy(&self) -> &FunctionPolicy {
        &self.inner.functions
    }

    /// Adds the table of an entity marked `TenantScoped`.
    pub fn entity<E: TenantScoped>(self) -> Self {
        self.with_table(E::scoped_table())
    }

    /// The table with exactly this schema and name (names as stored in the catalogue).
    pub fn lookup(&self, schema: Option<&str>, name: &str) -> Option<&ScopedTable> {
        let key = (schema.map(str::to_owned), name.to_owned());
        self.inner.index.get(&key).map(|&i| &self.inner.tables[i])
    }

    /// All tables, in registration order.
    pub fn tables(&self) -> &[ScopedTable] {
        &self.inner.tables
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.tables.is_empty()
    }

    /// The version: unique to this registry value in the process.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The distinct tenant column names in use (for catalogue checks):
    /// [`DEFAULT_TENANT_COLUMN`] when the registry is empty.
    pub fn tenant_columns(&self) -> Vec<&str> {
        self.tenant_columns_with(&[])
    }

    /// The registry's tenant columns and `extra`, sorted and distinct; when both are empty,
    /// [`DEFAULT_TENANT_COLUMN`]. The one place the default applies.
    pub(crate) fn tenant_columns_with<'a>(&'a self, extra: &'a [String]) -> Vec<&'a str> {
        let mut cols: Vec<&str> = self
            .inner
            .tables
            .iter()
            .map(ScopedTable::column)
            .chain(extra.iter().map(String::as_str))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        if cols.is_empty() {
            cols.push(DEFAULT_TENANT_COLUMN);
        }
        cols
    }
}
