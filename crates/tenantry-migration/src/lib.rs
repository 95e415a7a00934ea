//! sea-orm-migration helpers for tenantry.
