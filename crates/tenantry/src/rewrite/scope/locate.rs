//! Where a node of the statement stands in the original text, to the byte.
//!
//! sqlparser's spans are approximate for many nodes (an `IS NULL` ends before `IS`, a `CAST`
//! starts at its operand, a unary minus at its operand). Exact extents come from the parser
//! itself: find the token that precedes the node (its anchor: `WHERE`, `ON`, `FROM`, `SET`,
//! `=` …) searching back from the node's approximate start, let the parser parse the node
//! again from there, and accept the candidate only if what it parsed has the node's span.
//! The parser then stopped exactly where it stopped when it parsed the whole statement, so
//! the extent is the one the parser gave the node. A node that cannot be located this way is
//! refused, never guessed.

use std::ops::Range;

use sqlparser::ast::Spanned;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan};

use super::names::Flavor;
use crate::error::{Error, Result};

/// Leading placeholder tokens in the locating parser, so that it can always step back.
const PAD: usize = 2;

/// How many anchor candidates are tried before giving up.
const TRIES: usize = 16;

/// The token that comes right before a node.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Anchor {
    /// A keyword (`WHERE`, `ON`, `FROM`, `SET` …).
    Keyword(Keyword),
    /// `=` (an assignment's value).
    Eq,
    /// `)` (a query after a column list).
    RParen,
}

impl Anchor {
    fn matches(self, token: &Token) -> bool {
        match (self, token) {
            (Self::Keyword(k), Token::Word(w)) => w.keyword == k,
            (Self::Eq, Token::Eq) | (Self::RParen, Token::RParen) => true,
            _ => false,
        }
    }
}

/// The original text and its tokens, with a parser to re-read parts of it.
pub(crate) struct Source<'s> {
    sql: &'s str,
    flavor: Flavor,
    /// Tokens not yet handed to the parser (it is built on first use).
    tokens: Option<Vec<TokenWithSpan>>,
    parser: Option<Parser<'static>>,
    /// The parser's position.
    at: usize,
    /// Byte offset of each line start.
    lines: Vec<usize>,
    /// Whether the text is ASCII (columns are then byte offsets).
    ascii: bool,
    /// Byte offset of each token's start (parser indices, padding included).
    starts: Vec<usize>,
}

impl<'s> Source<'s> {
    /// The source of `sql`, whose tokens (as the parser read them) are `tokens`.
    pub(crate) fn new(flavor: Flavor, sql: &'s str, tokens: Vec<TokenWithSpan>) -> Self {
        Self {
            sql,
            flavor,
            tokens: Some(tokens),
            parser: None,
            at: 0,
            lines: Vec::new(),
            ascii: false,
            starts: Vec::new(),
        }
    }

    /// The original text.
    pub(crate) fn sql(&self) -> &'s str {
        self.sql
    }

    /// The byte offset of a location (1-based line and column, columns counting chars).
    pub(crate) fn offset(&mut self, loc: Location) -> Option<usize> {
        if self.lines.is_empty() {
            self.lines.push(0);
            self.lines
                .extend(self.sql.match_indices('\n').map(|(i, _)| i + 1));
            self.ascii = self.sql.is_ascii();
        }
        let line = usize::try_from(loc.line).ok()?.checked_sub(1)?;
        let col = usize::try_from(loc.column).ok()?.checked_sub(1)?;
        let start = *self.lines.get(line)?;
        if self.ascii {
            return (start + col <= self.sql.len()).then_some(start + col);
        }
        // Columns count chars: walk this line's chars (a location may sit at its end).
        let rest = &self.sql[start..];
        match rest.char_indices().nth(col) {
            Some((i, _)) => Some(start + i),
            None if rest.chars().count() == col => Some(self.sql.len()),
            None => None,
        }
    }

    /// The byte range of a span (`None` for the empty span of a node the parser did not place).
    pub(crate) fn range(&mut self, span: Span) -> Option<Range<usize>> {
        if span == Span::empty() {
            return None;
        }
        Some(self.offset(span.start)?..self.offset(span.end)?)
    }

    /// The exact text of a node whose span is exact (identifiers, tokens).
    pub(crate) fn text(&mut self, span: Span) -> Option<&'s str> {
        let range = self.range(span)?;
        self.sql.get(range)
    }

    fn ensure_parser(&mut self) -> Result<()> {
        if self.parser.is_some() {
            return Ok(());
        }
        let mut tokens = self.tokens.take().unwrap_or_default();
        let pad = TokenWithSpan::wrap(Token::SemiColon);
        tokens.splice(0..0, std::iter::repeat_n(pad, PAD));
        let mut starts = Vec::with_capacity(tokens.len());
        for t in &tokens {
            let s = if t.span == Span::empty() {
                0
            } else {
                self.offset(t.span.start)
                    .ok_or_else(|| missing("a token"))?
            };
            starts.push(s);
        }
        self.starts = starts;
        self.parser = Some(self.flavor.parser().with_tokens_with_locations(tokens));
        self.at = 0;
        Ok(())
    }

    /// Moves the parser so that the next token it reads is at index `k` (k ≥ PAD).
    fn seek(&mut self, k: usize) {
        let Some(p) = self.parser.as_mut() else {
            return;
        };
        while self.at > k {
            p.prev_token();
            self.at = p.get_current_index() + 1;
        }
        while self.at < k {
            p.next_token_no_skip();
            self.at += 1;
        }
    }

    fn token(&self, i: usize) -> Option<&TokenWithSpan> {
        self.parser.as_ref().map(|p| p.token_at(i))
    }

    fn is_blank(&self, i: usize) -> bool {
        matches!(
            self.token(i).map(|t| &t.token),
            Some(Token::Whitespace(_)) | None
        )
    }

    fn end_of(&mut self, i: usize) -> Option<usize> {
        let span = self.token(i)?.span;
        self.offset(span.end)
    }

    /// The exact byte range of the node whose span is `span` and which the parser reads
    /// with `parse` right after an `anchor` token.
    pub(crate) fn range_of(
        &mut self,
        what: &str,
        anchor: Anchor,
        span: Span,
        mut parse: impl FnMut(&mut Parser<'static>) -> std::result::Result<Span, ParserError>,
    ) -> Result<Range<usize>> {
        if span == Span::empty() {
            return Err(missing(what));
        }
        self.ensure_parser()?;
        let start = self.offset(span.start).ok_or_else(|| missing(what))?;
        let mut i = self.starts.partition_point(|s| *s < start).max(PAD);
        let mut tries = 0;
        while i > PAD && tries < TRIES {
            i -= 1;
            let hit = self.token(i).is_some_and(|t| anchor.matches(&t.token));
            if !hit {
                continue;
            }
            tries += 1;
            self.seek(i + 1);
            let Some(p) = self.parser.as_mut() else {
                break;
            };
            let parsed = parse(p);
            self.at = p.get_current_index() + 1;
            if parsed.is_ok_and(|s| s == span) {
                let mut last = self.at - 1;
                while last > i && self.is_blank(last) {
                    last -= 1;
                }
                let mut first = i + 1;
                while first < last && self.is_blank(first) {
                    first += 1;
                }
                let a = self.starts.get(first).copied();
                let b = self.end_of(last);
                if let (Some(a), Some(b)) = (a, b)
                    && a <= b
                {
                    return Ok(a..b);
                }
            }
        }
        Err(missing(what))
    }

    /// The range of an expression that follows `anchor`.
    pub(crate) fn expr(&mut self, what: &str, anchor: Anchor, span: Span) -> Result<Range<usize>> {
        self.range_of(what, anchor, span, |p| p.parse_expr().map(|e| e.span()))
    }

    /// The byte offset of the first token at or after byte `from` that `anchor` matches.
    pub(crate) fn next_token(&mut self, from: usize, anchor: Anchor) -> Result<Range<usize>> {
        self.ensure_parser()?;
        let mut i = self.starts.partition_point(|s| *s < from).max(PAD);
        while let Some(t) = self.token(i) {
            if t.token == Token::EOF {
                break;
            }
            if anchor.matches(&t.token) {
                let a = self.starts[i];
                let b = self.end_of(i).ok_or_else(|| missing("a token"))?;
                return Ok(a..b);
            }
            i += 1;
        }
        Err(missing("a token"))
    }
}

/// The union of the spans of a list.
pub(crate) fn span_of<T: Spanned>(items: &[T]) -> Span {
    Span::union_iter(items.iter().map(Spanned::span))
}

pub(crate) fn missing(what: &str) -> Error {
    Error::Unprovable {
        table: "(statement)".into(),
        reason: format!(
            "tenantry could not find the exact position of {what} in the statement's text, so it cannot insert the tenant predicate without reprinting it; simplify the statement"
        ),
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use sqlparser::ast::{SetExpr, Statement};
    use sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn source(sql: &str) -> (Source<'_>, Vec<Statement>) {
        let flavor = Flavor::Postgres;
        let tokens = Tokenizer::new(flavor.dialect(), sql)
            .tokenize_with_location()
            .unwrap();
        let stmts = Parser::new(flavor.dialect())
            .with_tokens_with_locations(tokens.clone())
            .parse_statements()
            .unwrap();
        (Source::new(flavor, sql, tokens), stmts)
    }

    fn selection(s: &Statement) -> &sqlparser::ast::Expr {
        let Statement::Query(q) = s else { panic!() };
        let SetExpr::Select(sel) = q.body.as_ref() else {
            panic!()
        };
        sel.selection.as_ref().unwrap()
    }

    #[test]
    fn finds_the_exact_extent_of_conditions_whose_spans_are_short() {
        for (sql, want) in [
            ("SELECT 1 FROM t WHERE a IS NULL ORDER BY 1", "a IS NULL"),
            ("SELECT 1 FROM t WHERE - -a = 1", "- -a = 1"),
            ("SELECT 1 FROM t WHERE (a = 1)", "(a = 1)"),
            ("SELECT 1 FROM t WHERE NOT a\n-- c\n", "NOT a"),
            (
                "SELECT 1 FROM t WHERE CAST(x AS int) IN (1, 2) GROUP BY 1",
                "CAST(x AS int) IN (1, 2)",
            ),
            (
                "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM u WHERE b) LIMIT 1",
                "EXISTS (SELECT 1 FROM u WHERE b)",
            ),
            ("SELECT 1 FROM t WHERE é = 'ü' AND x", "é = 'ü' AND x"),
        ] {
            let (mut src, stmts) = source(sql);
            let e = selection(&stmts[0]);
            let r = src
                .expr("the condition", Anchor::Keyword(Keyword::WHERE), e.span())
                .unwrap();
            assert_eq!(&sql[r], want, "{sql}");
        }
    }

    #[test]
    fn an_empty_span_is_refused() {
        let (mut src, _) = source("SELECT 1");
        assert!(
            src.expr("x", Anchor::Keyword(Keyword::WHERE), Span::empty())
                .is_err()
        );
    }
}
