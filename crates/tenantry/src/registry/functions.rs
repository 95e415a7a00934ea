//! Which functions a tenant handle lets through.

use std::collections::BTreeSet;

/// Which function calls a tenant handle lets through: set with
/// [`Registry::with_function_policy`](crate::Registry::with_function_policy).
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
