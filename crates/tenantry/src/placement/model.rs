//! The placement model: where a tenant's rows live, where it is in its life, its directory
//! entry.

use std::fmt;

use super::names::check_name;
use crate::error::{Error, Result};
use crate::tenant::TenantId;

/// Where a tenant's rows live.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Placement {
    /// In the shared tables of the control database, beside every other shared tenant.
    Shared,
    /// In the tables of its own schema of the control database (the shared schema stays on the
    /// search path behind it, for reference data).
    Schema {
        /// The schema.
        schema: String,
    },
    /// In the tables of its own database, on a named server.
    Database {
        /// The server's name (see [`Servers`](super::Servers)).
        server: String,
        /// The database on that server.
        database: String,
    },
}

impl Placement {
    /// `Schema { schema }`, the name checked ([`check_name`]).
    pub fn schema(schema: &str) -> Result<Self> {
        check_name("schema", schema)?;
        Ok(Self::Schema {
            schema: schema.to_owned(),
        })
    }

    /// `Database { server, database }`, both names checked ([`check_name`]).
    pub fn database(server: &str, database: &str) -> Result<Self> {
        check_name("server", server)?;
        check_name("database", database)?;
        Ok(Self::Database {
            server: server.to_owned(),
            database: database.to_owned(),
        })
    }

    /// Checks the names a placement built by hand holds.
    pub fn check(&self) -> Result<()> {
        match self {
            Self::Shared => Ok(()),
            Self::Schema { schema } => check_name("schema", schema),
            Self::Database { server, database } => {
                check_name("server", server)?;
                check_name("database", database)
            }
        }
    }

    /// `shared`, `schema` or `database`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Schema { .. } => "schema",
            Self::Database { .. } => "database",
        }
    }
}

impl fmt::Display for Placement {
    /// `shared`, `schema:acme`, `database:east/acme`: the form the CLI reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shared => f.write_str("shared"),
            Self::Schema { schema } => write!(f, "schema:{schema}"),
            Self::Database { server, database } => write!(f, "database:{server}/{database}"),
        }
    }
}

impl std::str::FromStr for Placement {
    type Err = Error;

    /// `shared`, `schema:NAME`, `database:SERVER/DB`.
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            None if s == "shared" => Ok(Self::Shared),
            Some(("schema", name)) => Self::schema(name),
            Some(("database", rest)) => match rest.split_once('/') {
                Some((server, database)) => Self::database(server, database),
                None => Err(Error::InvalidPlacement {
                    placement: s.to_owned(),
                    reason: "a database placement is `database:SERVER/DB`".into(),
                }),
            },
            _ => Err(Error::InvalidPlacement {
                placement: s.to_owned(),
                reason: "expected `shared`, `schema:NAME` or `database:SERVER/DB`".into(),
            }),
        }
    }
}

/// Where a tenant is in its life; enforced by `begin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TenantState {
    /// Being created: its placement is not ready; `begin` refuses.
    Provisioning,
    /// Serving.
    Active,
    /// Serving reads only: `begin` opens read-only transactions.
    ReadOnly,
    /// Being moved to another placement; serving from the current one.
    Moving,
    /// Suspended: `begin` refuses.
    Suspended,
    /// Deleted: `begin` refuses.
    Deleted,
}

impl TenantState {
    /// Every state, in life order.
    pub const ALL: [Self; 6] = [
        Self::Provisioning,
        Self::Active,
        Self::ReadOnly,
        Self::Moving,
        Self::Suspended,
        Self::Deleted,
    ];

    /// The name stored in the directory (`active`, `read_only`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::ReadOnly => "read_only",
            Self::Moving => "moving",
            Self::Suspended => "suspended",
            Self::Deleted => "deleted",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| Error::InvalidPlacement {
                placement: name.to_owned(),
                reason: "not a tenant state (provisioning, active, read_only, moving, \
                         suspended, deleted)"
                    .into(),
            })
    }

    /// Whether `begin` serves the tenant in this state.
    pub fn serves(self) -> bool {
        matches!(self, Self::Active | Self::ReadOnly | Self::Moving)
    }
}

impl fmt::Display for TenantState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tenant's directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantRecord {
    /// The tenant.
    pub tenant: TenantId,
    /// Where its rows live.
    pub placement: Placement,
    /// Where it is in its life.
    pub state: TenantState,
    /// Bumped by every placement change, so a stale cached placement can be detected.
    pub version: i64,
}

impl TenantRecord {
    /// A new entry (version 1).
    pub fn new(tenant: impl Into<TenantId>, placement: Placement, state: TenantState) -> Self {
        Self {
            tenant: tenant.into(),
            placement,
            state,
            version: 1,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn placements_read_and_print_the_cli_form() {
        for text in ["shared", "schema:acme", "database:east/acme_db"] {
            assert_eq!(text.parse::<Placement>().unwrap().to_string(), text);
        }
        for bad in [
            "",
            "pooled",
            "schema:",
            "schema:Acme Inc",
            "schema:a;drop",
            "database:east",
            "database:/db",
            "database:east/",
            "schema:pg_catalog",
        ] {
            assert!(bad.parse::<Placement>().is_err(), "{bad}");
        }
    }

    #[test]
    fn states_round_trip() {
        for state in TenantState::ALL {
            assert_eq!(TenantState::parse(state.as_str()).unwrap(), state);
        }
        assert!(TenantState::parse("paused").is_err());
        let serving: Vec<_> = TenantState::ALL
            .into_iter()
            .filter(|s| s.serves())
            .collect();
        assert_eq!(
            serving,
            [
                TenantState::Active,
                TenantState::ReadOnly,
                TenantState::Moving
            ]
        );
    }
}
