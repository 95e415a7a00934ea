//! Tenant ids with quotes, backslashes, Unicode and great length reach PostgreSQL's tenant
//! setting exactly as given (the begin round trip quotes them; nothing is spliced raw), and
//! ids that are never a tenant are refused before anything is sent.
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tenantry::{Error, Registry, TenantDatabase, TenantId};
use tenantry_tests::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_tenant_ids_reach_the_setting_unchanged() {
    let db = TestDb::postgres().await;
    let tdb = TenantDatabase::new(db.app.clone()).with_registry(Registry::new());
    let long = "é'\\".repeat(20_000);
    for text in [
        "o'brien",
        "x'; RESET ROLE; --",
        "back\\slash\\' --",
        "$$; DROP TABLE x; $$",
        "☃ snow \u{202e}man",
        long.as_str(),
    ] {
        let txn = tdb.begin(TenantId::from(text)).await.unwrap();
        let seen = txn
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT current_setting('tenantry.tenant_id', true) AS t",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "t")
            .unwrap();
        assert_eq!(seen, text);
        txn.rollback().await.unwrap();
    }
    for bad in ["", "a\0b"] {
        let e = tdb.begin(TenantId::from(bad)).await.err().unwrap();
        assert!(
            matches!(Error::from_db_err(&e), Some(Error::InvalidTenant { .. })),
            "{bad:?}: {e}"
        );
    }
}
