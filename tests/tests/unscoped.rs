//! Unscoped access: explicit, separately configured, reasoned and audited.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use entity::{customers, tenants};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set, TransactionTrait};
use tenantry::{Error, TenantDatabase};
use tenantry_tests::TestDb;
use tracing_subscriber::fmt::MakeWriter;
use uuid::Uuid;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn unscoped_needs_admin_and_reason_and_audits_every_statement() {
    let db = TestDb::sqlite().await;
    db.migrate().await;
    let tdb = TenantDatabase::new(db.app.clone());
    assert!(matches!(
        tdb.unscoped("nightly report"),
        Err(Error::AdminNotConfigured)
    ));

    let tdb = tdb.with_admin(db.owner.clone());
    assert!(matches!(tdb.unscoped(""), Err(Error::MissingReason)));
    assert!(matches!(tdb.unscoped("   "), Err(Error::MissingReason)));

    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, slug) in [(a, "a"), (b, "b")] {
        tenants::ActiveModel {
            id: Set(id),
            name: Set(slug.into()),
            slug: Set(slug.into()),
        }
        .insert(&db.owner)
        .await
        .unwrap();
        let txn = tdb.begin(id).await.unwrap();
        customers::ActiveModel {
            name: Set(slug.into()),
            email: Set(format!("{slug}@x.test")),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }

    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let admin = tdb.unscoped("monthly billing run").unwrap();
    assert_eq!(admin.reason(), "monthly billing run");
    // Cross-tenant: sees both tenants, through a transaction too.
    assert_eq!(customers::Entity::find().count(&admin).await.unwrap(), 2);
    let txn = admin.begin().await.unwrap();
    assert_eq!(customers::Entity::find().all(&txn).await.unwrap().len(), 2);
    txn.commit().await.unwrap();

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let audited: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("tenantry::audit"))
        .collect();
    assert_eq!(audited.len(), 2, "one audit event per statement:\n{text}");
    assert!(
        audited
            .iter()
            .all(|l| l.contains("monthly billing run") && l.contains("customers"))
    );

    // A tenant handle still sees one tenant.
    let txn = tdb.begin(a).await.unwrap();
    assert_eq!(customers::Entity::find().count(&txn).await.unwrap(), 1);
    txn.commit().await.unwrap();
}
