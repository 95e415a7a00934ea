//! Identifier case conversions, with the word-splitting rules `DeriveEntityModel` uses (heck
//! 0.5), so that the derive computes the same `Column` variant and database column name as
//! SeaORM does for a field.
//!
//! Words are separated by any non-alphanumeric character, by a lowercase-to-uppercase
//! transition (`tenantId` → `tenant`, `Id`), and before the last capital of an uppercase run
//! followed by a lowercase letter (`HTTPServer` → `HTTP`, `Server`).

/// A case style accepted by `#[sea_orm(rename_all = "...")]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CaseStyle {
    /// `camelCase`
    Camel,
    /// `PascalCase` / `camel_case`
    Pascal,
    /// `kebab-case`
    Kebab,
    /// `mixed_case` (lower camel case)
    Mixed,
    /// `SCREAMING_SNAKE_CASE`
    ShoutySnake,
    /// `snake_case`
    Snake,
    /// `title_case`
    Title,
    /// `UPPERCASE`
    Upper,
    /// `lowercase`
    Lower,
    /// `SCREAMING-KEBAB-CASE`
    ScreamingKebab,
}

impl CaseStyle {
    /// Parses the spellings SeaORM accepts.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "camel_case" | "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" | "snek_case" => Self::Snake,
            "kebab_case" | "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            "shouty_snake_case" | "shouty_snek_case" | "SCREAMING_SNAKE_CASE" => Self::ShoutySnake,
            "title_case" => Self::Title,
            "mixed_case" => Self::Mixed,
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            _ => return None,
        })
    }

    /// Converts `s` to this style.
    pub(crate) fn apply(self, s: &str) -> String {
        match self {
            Self::Pascal => upper_camel(s),
            Self::Camel => {
                let pascal = upper_camel(s);
                let mut chars = pascal.chars();
                let mut out = String::with_capacity(pascal.len());
                if let Some(first) = chars.next() {
                    out.extend(first.to_lowercase());
                }
                out.extend(chars);
                out
            }
            Self::Kebab => join(s, "-", |w, _| lower(w)),
            Self::Mixed => join(s, "", |w, i| if i == 0 { lower(w) } else { capitalize(w) }),
            Self::ShoutySnake => join(s, "_", |w, _| w.to_uppercase()),
            Self::Snake => snake(s),
            Self::Title => join(s, " ", |w, _| capitalize(w)),
            Self::Upper => s.to_uppercase(),
            Self::Lower => s.to_lowercase(),
            Self::ScreamingKebab => join(s, "-", |w, _| lower(w)).to_uppercase(),
        }
    }
}

/// `tenant_id` → `TenantId`.
pub(crate) fn upper_camel(s: &str) -> String {
    join(s, "", |w, _| capitalize(w))
}

/// `TenantId` → `tenant_id`.
pub(crate) fn snake(s: &str) -> String {
    join(s, "_", |w, _| lower(w))
}

fn join(s: &str, sep: &str, mut word: impl FnMut(&str, usize) -> String) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, w) in words(s).into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&word(w, i));
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Boundary,
    Lower,
    Upper,
}

fn words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for chunk in s.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = chunk.char_indices().peekable();
        let mut start = 0;
        let mut mode = Mode::Boundary;
        while let Some((i, c)) = chars.next() {
            let Some(&(next_i, next)) = chars.peek() else {
                out.push(&chunk[start..]);
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                out.push(&chunk[start..next_i]);
                start = next_i;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                out.push(&chunk[start..i]);
                start = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    out
}

fn lower(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut chars = w.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'Σ' && chars.peek().is_none() {
            out.push('ς');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn capitalize(w: &str) -> String {
    let mut chars = w.char_indices();
    let mut out = String::with_capacity(w.len());
    if let Some((_, first)) = chars.next() {
        out.extend(first.to_uppercase());
        if let Some((i, _)) = chars.next() {
            out.push_str(&lower(&w[i..]));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use heck::{
        ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToTitleCase,
        ToUpperCamelCase,
    };

    const SAMPLES: &[&str] = &[
        "tenant_id",
        "TenantId",
        "tenantId",
        "org_id",
        "_tenant_id_",
        "tenant__id",
        "id",
        "HTTPServer",
        "parseHTTPRequest",
        "field2name",
        "field_2_name",
        "v2Id",
        "ABC",
        "a",
        "",
        "ÉcoleΣ",
        "über_straße",
        "Self_",
        "r#type",
    ];

    #[test]
    fn agrees_with_heck() {
        for s in SAMPLES {
            assert_eq!(
                upper_camel(s),
                s.to_upper_camel_case(),
                "upper camel of {s:?}"
            );
            assert_eq!(snake(s), s.to_snake_case(), "snake of {s:?}");
            assert_eq!(CaseStyle::Kebab.apply(s), s.to_kebab_case(), "{s:?}");
            assert_eq!(CaseStyle::Mixed.apply(s), s.to_lower_camel_case(), "{s:?}");
            assert_eq!(
                CaseStyle::ShoutySnake.apply(s),
                s.to_shouty_snake_case(),
                "{s:?}"
            );
            assert_eq!(CaseStyle::Title.apply(s), s.to_title_case(), "{s:?}");
        }
    }

    #[test]
    fn camel_lowercases_the_first_letter_of_pascal() {
        assert_eq!(CaseStyle::Camel.apply("TenantId"), "tenantId");
        assert_eq!(CaseStyle::Pascal.apply("TenantId"), "TenantId");
        assert_eq!(CaseStyle::ScreamingKebab.apply("TenantId"), "TENANT-ID");
        assert_eq!(CaseStyle::Upper.apply("TenantId"), "TENANTID");
        assert_eq!(CaseStyle::Lower.apply("TenantId"), "tenantid");
    }

    #[test]
    fn parses_seaorm_spellings() {
        assert_eq!(CaseStyle::parse("camelCase"), Some(CaseStyle::Camel));
        assert_eq!(CaseStyle::parse("snake_case"), Some(CaseStyle::Snake));
        assert_eq!(CaseStyle::parse("Camel"), None);
    }
}
