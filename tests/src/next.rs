//! The reference app's next version, for the migration runner's tests and benchmark: the
//! reference migrators with one migration more.
//!
//! - [`Control`], [`Schema`], [`Tenant`]: a check constraint on `customers` (`name <>
//!   'poison'`), in the target's transaction — data that violates it fails the target.
//! - [`concurrent`]: an index built with `CREATE INDEX CONCURRENTLY`, a migration that
//!   declares it cannot run inside a transaction.

use sea_orm_migration::prelude::*;

/// The constraint migration's name: the latest version of [`Control`], [`Schema`], [`Tenant`].
pub const LATEST: &str = "m20261201_000001_customer_name_check";

/// `ALTER TABLE customers ADD CONSTRAINT customers_name_check CHECK (name <> 'poison')`.
pub struct NameCheck;

impl MigrationName for NameCheck {
    fn name(&self) -> &str {
        LATEST
    }
}

#[async_trait::async_trait]
impl MigrationTrait for NameCheck {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE customers ADD CONSTRAINT customers_name_check \
                 CHECK (name <> 'poison')",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE customers DROP CONSTRAINT customers_name_check")
            .await
            .map(|_| ())
    }
}

macro_rules! next {
    ($(#[$doc:meta])* $name:ident, $base:path, $migration:expr) => {
        $(#[$doc])*
        pub struct $name;

        #[async_trait::async_trait]
        impl MigratorTrait for $name {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                let mut all = <$base as MigratorTrait>::migrations();
                all.push(Box::new($migration));
                all
            }
        }
    };
}

next!(
    /// The control database's migrator, one version on.
    Control,
    migration::Migrator,
    NameCheck
);
next!(
    /// A tenant schema's migrator, one version on.
    Schema,
    migration::TenantMigrator,
    NameCheck
);
next!(
    /// A tenant database's migrator, one version on.
    Tenant,
    migration::TenantDatabaseMigrator,
    NameCheck
);

/// The reference migrators with an index built concurrently: outside a transaction.
pub mod concurrent {
    use sea_orm_migration::prelude::*;

    /// The index migration's name.
    pub const LATEST: &str = "m20261201_000002_customer_email_index";

    /// `CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email)`; declares
    /// `use_transaction() == Some(false)`, as PostgreSQL requires.
    pub struct EmailIndex;

    impl MigrationName for EmailIndex {
        fn name(&self) -> &str {
            LATEST
        }
    }

    #[async_trait::async_trait]
    impl MigrationTrait for EmailIndex {
        fn use_transaction(&self) -> Option<bool> {
            Some(false)
        }

        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email)",
                )
                .await
                .map(|_| ())
        }

        async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX CONCURRENTLY customers_email_idx")
                .await
                .map(|_| ())
        }
    }

    next!(
        /// The control database's migrator with the concurrent index.
        Control,
        migration::Migrator,
        EmailIndex
    );
    next!(
        /// A tenant schema's migrator with the concurrent index.
        Schema,
        migration::TenantMigrator,
        EmailIndex
    );
    next!(
        /// A tenant database's migrator with the concurrent index.
        Tenant,
        migration::TenantDatabaseMigrator,
        EmailIndex
    );
}
