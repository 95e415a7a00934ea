//! The registry of scoped tables.

use std::collections::{BTreeSet, HashMap};
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

/// Which function calls a tenant handle lets through: set with
/// [`Registry::with_function_policy`].
///
/// Two modes:
/// - [`deny_list`](Self::deny_list) (the default): every function runs except those on
///   tenantry's built-in per-backend deny-list — functions that run SQL given as text or read
///   tables and files by name, change session state, reach large objects or other databases,
///   send notifications, take locks shared by all tenants, control the server or other
///   sessions, or read other sessions' statements and statistics — and those added with
///   [`deny`](Self::deny).
/// - [`allow_list`](Self::allow_list): only functions on tenantry's built-in per-backend list
///   of ordinary scalar, aggregate, window, date, string, math and JSON functions run, plus
///   those added with [`allow`](Self::allow). Recommended on MySQL/MariaDB and SQLite, where no
///   Row-Level Security backs the rewriter.
///
/// In both modes the built-in deny-list and [`deny`](Self::deny) win: a denied function is
/// refused even when allowed. Syntactic forms the SQL parser reads as their own constructs
/// (`CAST`, `EXTRACT`, `SUBSTRING(x FROM n)`, `TRIM`, `POSITION`, `CEIL`, `CASE`, …) are not
/// function calls and always run.
///
/// Names are compared case-insensitively, without quotes, whatever the backend's rules: a
/// call of `"SET_CONFIG"` is a call of `set_config`. A name ending in `*` is a prefix
/// (`"st_*"`). A qualified name (`"app.slugify"`) in an allow entry allows only calls written
/// with that qualification (`"app.*"`: any function called as `app.…`). A deny entry matches
/// on the last part only, since an unqualified call may resolve to a function in any schema
/// on the search path; `"app.*"` denies every call qualified with `app`.
///
/// ```
/// use tenantry::{FunctionPolicy, Registry};
/// let registry = Registry::new()
///     .table("orders", "tenant_id")
///     .with_function_policy(FunctionPolicy::allow_list().allow("app.slugify").allow("st_*"));
/// assert!(registry.function_policy().is_allow_list());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FunctionPolicy {
    allow_list: bool,
    allowed: BTreeSet<String>,
    denied: BTreeSet<String>,
}

impl FunctionPolicy {
    /// Every function except the built-in deny-list (the default).
    pub fn deny_list() -> Self {
        Self::default()
    }

    /// Only the built-in list of ordinary functions of each backend.
    pub fn allow_list() -> Self {
        Self {
            allow_list: true,
            ..Self::default()
        }
    }

    /// Also allows `name` (`"f"`, `"schema.f"` or a prefix `"f_*"`). Only an allow-list
    /// consults it; it never overrides a denied function.
    pub fn allow(mut self, name: &str) -> Self {
        self.allowed.insert(normalise(name));
        self
    }

    /// Also refuses `name` (`"f"` or a prefix `"f_*"`, in any schema; `"s.*"`: every call
    /// qualified with `s`), in both modes.
    pub fn deny(mut self, name: &str) -> Self {
        self.denied.insert(normalise(name));
        self
    }

    /// Whether this is an allow-list.
    pub fn is_allow_list(&self) -> bool {
        self.allow_list
    }

    /// The names added with [`allow`](Self::allow), normalised (lower case, no quotes).
    pub fn allowed(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(String::as_str)
    }

    /// The names added with [`deny`](Self::deny), normalised (lower case, no quotes).
    pub fn denied(&self) -> impl Iterator<Item = &str> {
        self.denied.iter().map(String::as_str)
    }
}

/// A function name as policies compare it: ASCII lower case, quotes and spaces removed.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']') && !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
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
