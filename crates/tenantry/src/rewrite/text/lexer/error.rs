//! Why lexing stopped, and how that is told to the user.

use std::fmt;

use crate::error::Error;

/// Why the lexer refuses a text. Every variant carries the byte offset where the construct
/// starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum LexError {
    /// A NUL byte.
    Nul {
        /// Its offset.
        at: usize,
    },
    /// A MySQL/MariaDB executable comment: `/*!…*/`, `/*!50000…*/`, or MariaDB's `/*M!…*/`.
    ExecutableComment {
        /// Whether it is MariaDB's `/*M!` form.
        mariadb: bool,
        /// Where it starts.
        at: usize,
    },
    /// A MySQL optimizer hint `/*+…*/` holding a quote: MySQL's hint scanner reads quoted
    /// text in it, so a `*/` inside quotes does not end it for MySQL.
    QuotedHint {
        /// Where it starts.
        at: usize,
    },
    /// A string, identifier or comment that is not closed.
    Unterminated {
        /// What is not closed.
        what: Unclosed,
        /// Where it starts.
        at: usize,
    },
    /// A construct the server reads one way or another depending on a setting.
    SettingDependent {
        /// The setting.
        setting: Setting,
        /// Where the construct starts.
        at: usize,
    },
    /// PostgreSQL string constants separated only by whitespace holding a line break, which
    /// PostgreSQL joins into one.
    Continued {
        /// Where the first one starts.
        at: usize,
    },
    /// A literal or name the server refuses to read.
    Malformed {
        /// What it is.
        what: Malformed,
        /// Where it starts.
        at: usize,
    },
}

/// What an [`LexError::Unterminated`] leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Unclosed {
    /// A string literal.
    String,
    /// A quoted identifier.
    QuotedIdent,
    /// A PostgreSQL dollar-quoted string.
    DollarString,
    /// A `/*` comment.
    BlockComment,
}

/// The server setting an [`LexError::SettingDependent`] construct depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Setting {
    /// MySQL/MariaDB `sql_mode` `NO_BACKSLASH_ESCAPES`.
    NoBackslashEscapes,
    /// MySQL/MariaDB `sql_mode` `ANSI_QUOTES`, under which `"…"` is an identifier, not a
    /// string.
    AnsiQuotes,
    /// PostgreSQL `standard_conforming_strings`.
    StandardConformingStrings,
    /// An Oracle mode of MySQL-compatible servers (GreatSQL `sql_mode=ORACLE`), under which
    /// `--` starts a comment with no space after it.
    OracleMode,
    /// MariaDB `sql_mode=MSSQL`, under which `[…]` is a quoted identifier.
    MssqlMode,
}

/// What an [`LexError::Malformed`] construct is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Malformed {
    /// A hex literal `X'…'` (MySQL) or blob `x'…'` (SQLite) with other than an even number of
    /// hex digits.
    Hex,
    /// A MySQL bit literal `B'…'` with other than `0` and `1`.
    Bits,
    /// A SQLite number run into letters (`1abc`).
    Number,
    /// A SQLite parameter marker without a name (`:`, `@`, `$`, `#` alone) or a Tcl-style
    /// `$name(…)` without its `)`.
    Parameter,
}

impl Unclosed {
    /// A phrase naming it.
    fn name(self) -> &'static str {
        match self {
            Self::String => "string literal",
            Self::QuotedIdent => "quoted identifier",
            Self::DollarString => "dollar-quoted string",
            Self::BlockComment => "`/*` comment",
        }
    }
}

impl Malformed {
    /// A phrase naming it, with its article.
    fn name(self) -> &'static str {
        match self {
            Self::Hex => "a hex literal `X'…'` that is not an even number of hex digits",
            Self::Bits => "a bit literal `B'…'` with digits other than 0 and 1",
            Self::Number => "a number run into letters",
            Self::Parameter => "a parameter marker with no name or no closing `)`",
        }
    }
}

impl LexError {
    /// Where the refused construct starts.
    pub(crate) fn at(self) -> usize {
        match self {
            Self::Nul { at }
            | Self::ExecutableComment { at, .. }
            | Self::QuotedHint { at }
            | Self::Unterminated { at, .. }
            | Self::SettingDependent { at, .. }
            | Self::Continued { at }
            | Self::Malformed { at, .. } => at,
        }
    }

    /// What was found, and where.
    pub(crate) fn what(self) -> String {
        let at = self.at();
        match self {
            Self::Nul { .. } => format!("a NUL byte at byte {at}"),
            Self::ExecutableComment { mariadb: false, .. } => {
                format!("an executable comment `/*!…*/` at byte {at}")
            }
            Self::ExecutableComment { mariadb: true, .. } => {
                format!("an executable comment `/*M!…*/` at byte {at}")
            }
            Self::QuotedHint { .. } => {
                format!("an optimizer hint `/*+…*/` holding a quote at byte {at}")
            }
            Self::Unterminated { what, .. } => {
                format!("an unterminated {} at byte {at}", what.name())
            }
            Self::SettingDependent {
                setting: Setting::NoBackslashEscapes,
                ..
            } => {
                format!("a string literal at byte {at} whose end depends on `NO_BACKSLASH_ESCAPES`")
            }
            Self::SettingDependent {
                setting: Setting::AnsiQuotes,
                ..
            } => format!("a double-quoted string at byte {at}"),
            Self::SettingDependent {
                setting: Setting::StandardConformingStrings,
                ..
            } => format!(
                "a string literal at byte {at} whose end depends on `standard_conforming_strings`"
            ),
            Self::SettingDependent {
                setting: Setting::OracleMode,
                ..
            } => format!("a `--` not followed by a space at byte {at}"),
            Self::SettingDependent {
                setting: Setting::MssqlMode,
                ..
            } => format!("a `[…]` holding a quote or comment start at byte {at}"),
            Self::Continued { .. } => {
                format!("string constants continued across a line break at byte {at}")
            }
            Self::Malformed { what, .. } => format!("{} at byte {at}", what.name()),
        }
    }

    /// Why it is refused, and what to write instead.
    pub(crate) fn reason(self) -> String {
        match self {
            Self::Nul { .. } => "the database ends or refuses a statement at a NUL byte while the SQL parser reads past it; bind the value as a parameter instead".into(),
            Self::ExecutableComment { .. } => "MySQL and MariaDB run the SQL inside `/*!…*/` and `/*M!…*/` comments while the SQL parser skips it as a comment, so tenantry cannot scope it; write the SQL without the comment markers".into(),
            Self::QuotedHint { .. } => "MySQL reads quoted text inside an optimizer hint, so a `*/` between quotes does not end the hint for MySQL while it ends the comment for the SQL parser; write the hint without quotes, or drop it".into(),
            Self::Unterminated { .. } => "it is not closed before the end of the statement; close it (and bind values as parameters rather than writing them into the SQL)".into(),
            Self::SettingDependent { setting: Setting::NoBackslashEscapes, .. } => "it ends at one quote when backslashes escape (MySQL's default) and at another under `sql_mode` `NO_BACKSLASH_ESCAPES`, and the client cannot know the server's mode; bind the value as a parameter instead".into(),
            Self::SettingDependent { setting: Setting::AnsiQuotes, .. } => "MySQL and MariaDB read `\"…\"` as a string, but as an identifier under `sql_mode` `ANSI_QUOTES`, which the client cannot know, while the SQL parser reads a string; write strings in single quotes (or bind them as parameters) and names in backticks".into(),
            Self::SettingDependent { setting: Setting::StandardConformingStrings, .. } => "it ends at one quote when `standard_conforming_strings` is on (the default) and at another when it is off and backslashes escape, and the client cannot know the setting; bind the value as a parameter, or write an `E'…'` string".into(),
            Self::SettingDependent { setting: Setting::OracleMode, .. } => "MySQL and MariaDB read it as two minus signs, but MySQL-compatible servers in an Oracle mode (GreatSQL under `sql_mode=ORACLE`) as a comment to the end of the line; write `- -` for two minus signs, and start comments with `-- ` (a space after the dashes)".into(),
            Self::SettingDependent { setting: Setting::MssqlMode, .. } => "MariaDB under `sql_mode=MSSQL` reads `[…]` as one quoted identifier, while otherwise (and for the SQL parser) the quote or comment inside it starts a string or comment; quote names with backticks".into(),
            Self::Continued { .. } => "PostgreSQL joins string constants separated only by whitespace with a line break (and `--` comments) into one constant, which the SQL parser reads as separate strings; write one literal, or bind the value as a parameter".into(),
            Self::Malformed { .. } => "the database refuses it, and the SQL parser may read it otherwise; bind the value as a parameter instead".into(),
        }
    }

    /// The refusal to return for it.
    pub(crate) fn refusal(self) -> Error {
        Error::Forbidden {
            what: self.what(),
            reason: self.reason(),
        }
    }
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())
    }
}

impl std::error::Error for LexError {}
