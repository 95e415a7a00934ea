//! One registered table.

use std::fmt;

use crate::sql::QualifiedName;
use crate::tenant::TenantIdType;

/// The tenant column's name when nothing says otherwise: `tenant_id`.
pub const DEFAULT_TENANT_COLUMN: &str = "tenant_id";

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

impl From<&ScopedTable> for QualifiedName {
    fn from(t: &ScopedTable) -> Self {
        Self::maybe_qualified(t.schema(), t.name())
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
