//! Names used by the generated policies.

use crate::error::Result;
use crate::sql::SettingName;

/// The names tenantry's RLS DDL uses: the session setting that carries the tenant and the
/// two policy names. The defaults match the rest of tenantry (`tenantry.tenant_id`).
///
/// ```
/// use tenantry::policy::PolicyConfig;
/// let config = PolicyConfig::default().with_setting_name("app.tenant")?;
/// assert_eq!(config.setting(), "app.tenant");
/// assert_eq!(config.policy_name(), "tenantry_isolation");
/// assert!(PolicyConfig::default().with_setting_name("tenant; DROP TABLE t").is_err());
/// # Ok::<(), tenantry::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyConfig {
    setting: SettingName,
    policy_name: String,
    guard_name: String,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            setting: SettingName::default(),
            policy_name: "tenantry_isolation".to_owned(),
            guard_name: "tenantry_guard".to_owned(),
        }
    }
}

impl PolicyConfig {
    /// The setting read by the policies (default `tenantry.tenant_id`); give the
    /// [`TenantDatabase`](crate::TenantDatabase) the same value.
    pub fn with_setting(mut self, setting: SettingName) -> Self {
        self.setting = setting;
        self
    }

    /// [`with_setting`](Self::with_setting) from a string, checked as [`SettingName::new`]
    /// checks it: [`Error::InvalidSetting`](crate::Error::InvalidSetting) unless it is a
    /// `prefix.name` PostgreSQL accepts.
    pub fn with_setting_name(self, setting: &str) -> Result<Self> {
        Ok(self.with_setting(SettingName::new(setting)?))
    }

    /// The names of the permissive base policy and of the restrictive guard policy
    /// (`tenantry_isolation`, `tenantry_guard`).
    pub fn with_policy_names(mut self, base: impl Into<String>, guard: impl Into<String>) -> Self {
        self.policy_name = base.into();
        self.guard_name = guard.into();
        self
    }

    /// The setting name.
    pub fn setting(&self) -> &str {
        self.setting.as_str()
    }

    /// The setting, as the checked value.
    pub fn setting_value(&self) -> &SettingName {
        &self.setting
    }

    /// The permissive base policy's name.
    pub fn policy_name(&self) -> &str {
        &self.policy_name
    }

    /// The restrictive guard policy's name.
    pub fn guard_name(&self) -> &str {
        &self.guard_name
    }
}
