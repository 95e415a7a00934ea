//! [`Servers`]: the named database servers tenant databases live on.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::names::check_name;
use crate::error::{Error, Result};

/// The name of the server holding the control database; set with [`Servers::with_control`]
/// (the provisioner and the runner set it from their control URL).
pub const CONTROL_SERVER: &str = "control";

/// The environment variable [`Servers::from_env`] reads.
pub const SERVERS_ENV: &str = "TENANTRY_SERVERS";

/// How the pool of one tenant database on a server is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Connections per tenant database pool (default 4).
    pub max_connections: u32,
    /// How long opening a connection may take (default 5 s).
    pub connect_timeout: Duration,
    /// How long taking a connection from the pool may wait (default 10 s).
    pub acquire_timeout: Duration,
    /// How long an unused connection stays open (default 60 s).
    pub idle_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            max_connections: 4,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

impl ServerOptions {
    /// Connections per tenant database pool.
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Connect timeout.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Acquire timeout.
    pub fn acquire_timeout(mut self, d: Duration) -> Self {
        self.acquire_timeout = d;
        self
    }

    /// Idle timeout.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }
}

#[derive(Clone)]
struct Server {
    url: url::Url,
    options: ServerOptions,
}

/// Named database servers: where `Database` placements live.
///
/// A server is a connection URL without a database name that matters: a tenant's pool
/// connects to the server's URL with the path replaced by the tenant's database. URLs (and so
/// passwords) stay in the process; the directory stores only server names.
///
/// ```
/// use tenantry::placement::Servers;
/// let servers = Servers::parse("east=postgres://app@10.0.0.1:5432/postgres,west=postgres://app@10.0.0.2/postgres")?;
/// assert_eq!(servers.names().collect::<Vec<_>>(), ["east", "west"]);
/// assert_eq!(
///     servers.database_url("east", "tenant_7")?,
///     "postgres://app@10.0.0.1:5432/tenant_7"
/// );
/// # Ok::<(), tenantry::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Servers {
    servers: BTreeMap<String, Server>,
}

impl fmt::Debug for Servers {
    /// Names and hosts only: never a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.servers.iter().map(|(name, s)| {
                (
                    name,
                    format!(
                        "{}://{}:{}",
                        s.url.scheme(),
                        s.url.host_str().unwrap_or(""),
                        s.url.port().map_or_else(String::new, |p| p.to_string())
                    ),
                )
            }))
            .finish()
    }
}

impl Servers {
    /// No servers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a server with default [`ServerOptions`].
    pub fn with(self, name: &str, url: &str) -> Result<Self> {
        self.with_options(name, url, ServerOptions::default())
    }

    /// Adds (or replaces) a server.
    pub fn with_options(self, name: &str, url: &str, options: ServerOptions) -> Result<Self> {
        check_name("server", name)?;
        if name == CONTROL_SERVER {
            return Err(Error::InvalidName {
                what: "server",
                name: name.to_owned(),
                reason: format!(
                    "`{CONTROL_SERVER}` is the control database's server: set it with \
                     `Servers::with_control(url)`"
                ),
            });
        }
        self.insert(name, url, options)
    }

    /// Sets the server [`CONTROL_SERVER`] from the control database's URL (the database in
    /// it does not matter), so tenants can be placed in databases of their own beside the
    /// control database (`database:control/…`). The provisioner and the migration runner set
    /// it from the URL they connect with, unless it is set already.
    pub fn with_control(self, url: &str) -> Result<Self> {
        self.insert(CONTROL_SERVER, url, ServerOptions::default())
    }

    /// Whether [`CONTROL_SERVER`] is set.
    pub fn has_control(&self) -> bool {
        self.servers.contains_key(CONTROL_SERVER)
    }

    fn insert(mut self, name: &str, url: &str, options: ServerOptions) -> Result<Self> {
        let parsed = url::Url::parse(url).map_err(|e| Error::InvalidServer {
            server: name.to_owned(),
            reason: format!("its URL does not parse ({e})"),
        })?;
        if parsed.cannot_be_a_base() || parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::InvalidServer {
                server: name.to_owned(),
                reason: "its URL names no host".into(),
            });
        }
        self.servers.insert(
            name.to_owned(),
            Server {
                url: parsed,
                options,
            },
        );
        Ok(self)
    }

    /// `name=url,name=url` (the [`SERVERS_ENV`] format).
    pub fn parse(spec: &str) -> Result<Self> {
        let mut servers = Self::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, url)) = item.split_once('=') else {
                return Err(Error::InvalidServer {
                    server: item.split("://").next().unwrap_or(item).to_owned(),
                    reason: format!("expected NAME=URL in {SERVERS_ENV}"),
                });
            };
            servers = servers.with(name.trim(), url.trim())?;
        }
        Ok(servers)
    }

    /// The servers named in `TENANTRY_SERVERS` (none when it is unset).
    pub fn from_env() -> Result<Self> {
        match std::env::var(SERVERS_ENV) {
            Ok(spec) => Self::parse(&spec),
            Err(std::env::VarError::NotPresent) => Ok(Self::new()),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidServer {
                server: SERVERS_ENV.to_owned(),
                reason: "the variable is not valid UTF-8".into(),
            }),
        }
    }

    /// The configured server names, sorted (with [`CONTROL_SERVER`] when it is set).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.servers.keys().map(String::as_str)
    }

    /// Whether `name` is configured.
    pub fn contains(&self, name: &str) -> bool {
        self.servers.contains_key(name)
    }

    /// The pool options of a server.
    pub fn options(&self, server: &str) -> Result<ServerOptions> {
        Ok(self.get(server)?.options)
    }

    /// The server's URL as configured (with its credentials: keep it out of logs).
    pub fn url(&self, server: &str) -> Result<String> {
        Ok(self.get(server)?.url.to_string())
    }

    /// The URL of `database` on `server`.
    pub fn database_url(&self, server: &str, database: &str) -> Result<String> {
        let mut url = self.get(server)?.url.clone();
        url.set_path(&format!("/{database}"));
        Ok(url.to_string())
    }

    fn get(&self, server: &str) -> Result<&Server> {
        self.servers
            .get(server)
            .ok_or_else(|| Error::UnknownServer {
                server: server.to_owned(),
                known: self.servers.keys().cloned().collect(),
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_environment_form() {
        let s = Servers::parse(" east = postgres://u:secret@h1:5433/postgres?sslmode=disable , ")
            .unwrap();
        assert_eq!(
            s.database_url("east", "t1").unwrap(),
            "postgres://u:secret@h1:5433/t1?sslmode=disable"
        );
        assert!(!format!("{s:?}").contains("secret"), "{s:?}");
        assert!(Servers::parse("east").is_err());
        assert!(Servers::parse("East=postgres://h/db").is_err());
        assert!(Servers::parse("control=postgres://h/db").is_err());
        let with_control = s.clone().with_control("postgres://u@h0/app").unwrap();
        assert!(with_control.has_control());
        assert_eq!(
            with_control.database_url(CONTROL_SERVER, "t2").unwrap(),
            "postgres://u@h0/t2"
        );
        assert!(Servers::parse("east=not a url").is_err());
        assert!(matches!(
            s.database_url("west", "t1"),
            Err(Error::UnknownServer { .. })
        ));
    }
}
