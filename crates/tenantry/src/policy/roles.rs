//! The application role: creation and the narrow privileges it needs.

use crate::sql::{QualifiedName, quote_ident, quote_literal};

/// The attributes every tenantry application role has.
pub const APP_ROLE_ATTRIBUTES: &str = "NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE";

/// Creates the application role unless it exists (`LOGIN` plus [`APP_ROLE_ATTRIBUTES`]); an
/// existing role with any of the forbidden attributes is altered to drop them.
///
/// A `DO` block, so it is idempotent and safe in a migration. No password is set: use
/// `ALTER ROLE … PASSWORD` (or your secret manager) outside the migration.
pub fn ensure_role(role: &str) -> String {
    let ident = quote_ident(role);
    let lit = quote_literal(role);
    let body = format!(
        "BEGIN\n  \
         IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {lit}) THEN\n    \
         CREATE ROLE {ident} LOGIN {APP_ROLE_ATTRIBUTES};\n  \
         ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {lit}\n      \
         AND (rolsuper OR rolbypassrls OR rolinherit OR rolcreatedb OR rolcreaterole)) THEN\n    \
         ALTER ROLE {ident} {APP_ROLE_ATTRIBUTES};\n  \
         END IF;\n\
         END"
    );
    do_block(&body)
}

/// An anonymous `DO` block around a PL/pgSQL body, with a dollar-quote tag the body does not
/// contain.
pub(crate) fn do_block(body: &str) -> String {
    let mut tag = "$tenantry$".to_owned();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$tenantry{n}$");
    }
    format!("DO {tag}\n{body}\n{tag}")
}

/// `DROP ROLE IF EXISTS …`.
pub fn drop_role(role: &str) -> String {
    format!("DROP ROLE IF EXISTS {}", quote_ident(role))
}

/// `ALTER ROLE … NOSUPERUSER`.
pub fn revoke_superuser(role: &str) -> String {
    format!("ALTER ROLE {} NOSUPERUSER", quote_ident(role))
}

/// `ALTER ROLE … NOBYPASSRLS`.
pub fn revoke_bypassrls(role: &str) -> String {
    format!("ALTER ROLE {} NOBYPASSRLS", quote_ident(role))
}

/// `REVOKE granted FROM member`: ends the member's ability to `SET ROLE granted`.
pub fn revoke_membership(granted: &str, member: &str) -> String {
    format!(
        "REVOKE {} FROM {}",
        quote_ident(granted),
        quote_ident(member)
    )
}

/// The only table privileges the app role gets: `SELECT, INSERT, UPDATE, DELETE`.
pub fn grant_table_access(role: &str, table: &QualifiedName) -> String {
    format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {} TO {}",
        table.to_sql(),
        quote_ident(role)
    )
}

/// `SELECT` only: for tables the app reads and never writes, such as the tenant directory.
pub fn grant_table_read(role: &str, table: &QualifiedName) -> String {
    format!(
        "GRANT SELECT ON TABLE {} TO {}",
        table.to_sql(),
        quote_ident(role)
    )
}

/// Takes back every table privilege (`REVOKE ALL`) from `PUBLIC` (when `from_public`) and
/// the role.
pub fn revoke_table_access(role: &str, table: &QualifiedName, from_public: bool) -> String {
    revoke_table_privileges(role, table, &["ALL"], from_public)
}

/// Takes back named table privileges (e.g. `TRUNCATE`, `REFERENCES`, `TRIGGER`; `TRUNCATE`
/// ignores Row-Level Security) from `PUBLIC` (when `from_public`) and the role.
pub fn revoke_table_privileges(
    role: &str,
    table: &QualifiedName,
    privileges: &[&str],
    from_public: bool,
) -> String {
    format!(
        "REVOKE {} ON TABLE {} FROM {}",
        privileges.join(", "),
        table.to_sql(),
        grantees(role, from_public)
    )
}

/// `GRANT USAGE ON SEQUENCE`: enough for `nextval`/`currval` (serial and identity columns).
pub fn grant_sequence_usage(role: &str, sequence: &QualifiedName) -> String {
    format!(
        "GRANT USAGE ON SEQUENCE {} TO {}",
        sequence.to_sql(),
        quote_ident(role)
    )
}

/// `REVOKE UPDATE ON SEQUENCE` (`setval` would let one tenant disturb everyone's ids).
pub fn revoke_sequence_update(role: &str, sequence: &QualifiedName, from_public: bool) -> String {
    format!(
        "REVOKE UPDATE ON SEQUENCE {} FROM {}",
        sequence.to_sql(),
        grantees(role, from_public)
    )
}

/// `GRANT USAGE ON SCHEMA`.
pub fn grant_schema_usage(role: &str, schema: &str) -> String {
    format!(
        "GRANT USAGE ON SCHEMA {} TO {}",
        quote_ident(schema),
        quote_ident(role)
    )
}

/// `REVOKE TEMPORARY ON DATABASE … FROM PUBLIC, role`: temporary tables come first in the
/// search path and could shadow a scoped table.
pub fn revoke_temp(role: &str, database: &str) -> String {
    format!(
        "REVOKE TEMPORARY ON DATABASE {} FROM {}",
        quote_ident(database),
        grantees(role, true)
    )
}

/// [`revoke_temp`] for `PUBLIC` only, on the current database (a `DO` block, so it needs no
/// database name; for migrations). Run by a role that cannot act as the database's owner it
/// changes nothing and raises a notice (`tenantry doctor` reports the privilege).
pub fn revoke_temp_from_public() -> String {
    temp_for_public("REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC")
}

/// The `down` of [`revoke_temp_from_public`]: PostgreSQL's default, `TEMPORARY` for `PUBLIC`.
pub fn grant_temp_to_public() -> String {
    temp_for_public("GRANT TEMPORARY ON DATABASE %I TO PUBLIC")
}

fn temp_for_public(template: &str) -> String {
    do_block(&format!(
        "BEGIN\n  \
         IF pg_catalog.pg_has_role(current_user, (SELECT datdba FROM pg_catalog.pg_database\n      \
         WHERE datname = current_database()), 'USAGE') THEN\n    \
         EXECUTE format({}, current_database());\n  \
         ELSE\n    \
         RAISE NOTICE 'tenantry: only the database owner can change TEMPORARY for PUBLIC';\n  \
         END IF;\n\
         END",
        quote_literal(template)
    ))
}

/// `ALTER TABLE … OWNER TO …` (`CURRENT_USER` when `new_owner` is `None`).
pub fn change_table_owner(table: &QualifiedName, new_owner: Option<&str>) -> String {
    format!(
        "ALTER TABLE {} OWNER TO {}",
        table.to_sql(),
        new_owner.map_or_else(|| "CURRENT_USER".to_owned(), quote_ident)
    )
}

fn grantees(role: &str, from_public: bool) -> String {
    if from_public {
        format!("PUBLIC, {}", quote_ident(role))
    } else {
        quote_ident(role)
    }
}
