//! The registry of scoped tables.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::tenant::TenantIdType;

/// One scoped table: where it lives, its tenant column and the column's id type.
///
/// Names are stored exactly as in the database catalogue (what an entity's `table_name`
/// says): `orders`, or `Mixed` for a table created as `"Mixed"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopedTable {
    schema: Option<String>,
    name: String,
    column: String,
    id_type: Option<TenantIdType>,
}

impl ScopedTable {
    /// A scoped table; `schema` `None` means the connection's default schema.
    pub fn new(schema: Option<String>, name: impl Into<String>, column: impl Into<String>) -> Self {
        Self {
            schema,
            name: name.into(),
            column: column.into(),
            id_type: None,
        }
    }

    /// Declares the tenant column's id type, checked against the tenant at run time.
    pub fn with_id_type(mut self, id_type: TenantIdType) -> Self {
        self.id_type = Some(id_type);
        self
    }

    /// The schema, when the table is schema-qualified.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The table name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tenant column.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The tenant column's declared id type (`None`: not declared, any id is bound as is).
    pub fn id_type(&self) -> Option<TenantIdType> {
        self.id_type
    }
}

impl fmt::Display for ScopedTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A table registered by `#[derive(TenantScoped)]` (collected at link time).
#[doc(hidden)]
pub struct TableRegistration {
    /// Builds the table description (runs `EntityName::table_name` etc.).
    pub build: fn() -> ScopedTable,
}

inventory::collect!(TableRegistration);

static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Debug, Default)]
struct Inner {
    tables: Vec<ScopedTable>,
    /// (schema, name) -> index in `tables`.
    index: HashMap<(Option<String>, String), usize>,
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
            .finish()
    }
}

impl PartialEq for Registry {
    fn eq(&self, other: &Self) -> bool {
        self.inner.tables == other.inner.tables
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
        tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
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
        let key = (table.schema.clone(), table.name.clone());
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

    /// Adds the table of an entity marked `TenantScoped`.
    pub fn entity<E: crate::TenantScoped>(self) -> Self {
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

    /// The distinct tenant column names in use (for catalogue checks).
    pub fn tenant_columns(&self) -> Vec<&str> {
        let mut cols: Vec<&str> = self
            .inner
            .tables
            .iter()
            .map(|t| t.column.as_str())
            .collect();
        cols.sort_unstable();
        cols.dedup();
        if cols.is_empty() {
            cols.push("tenant_id");
        }
        cols
    }
}
