//! Names used by the generated policies.

/// The names tenantry's RLS DDL uses: the session setting that carries the tenant and the
/// two policy names. The defaults match the rest of tenantry (`tenantry.tenant_id`).
///
/// ```
/// use tenantry::policy::PolicyConfig;
/// let config = PolicyConfig::default().with_setting("app.tenant");
/// assert_eq!(config.setting(), "app.tenant");
/// assert_eq!(config.policy_name(), "tenantry_isolation");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyConfig {
    setting: String,
    policy_name: String,
    guard_name: String,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            setting: crate::policy::DEFAULT_SETTING.to_owned(),
            policy_name: "tenantry_isolation".to_owned(),
            guard_name: "tenantry_guard".to_owned(),
        }
    }
}

impl PolicyConfig {
    /// The setting read by the policies (`tenantry.tenant_id`). It must contain a dot, as
    /// PostgreSQL requires of custom settings.
    pub fn with_setting(mut self, setting: impl Into<String>) -> Self {
        self.setting = setting.into();
        self
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
