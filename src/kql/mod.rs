//! KQL, as far as huntkit needs it: a tokenizer that knows every literal
//! form of the language, and a light analysis that tells table names,
//! column names and locally defined names apart.
//!
//! Design: the lexer (`lexer.rs`) is exact about where strings, comments
//! and names start and end, because everything else relies on that; the
//! analysis (`analyze.rs`) is a heuristic over the tokens, tuned to report
//! a name only when it is most likely a real schema reference. Tokens keep
//! byte spans and 1-based line and column so a finding can point at the
//! place in the query editor.

mod analyze;
mod keywords;
mod lexer;
mod token;

pub use analyze::{analyze, Analysis, NameRef};
pub use keywords::is_keyword;
pub use lexer::tokenize;
pub use token::{Span, StringLiteral, StringStyle, Token, TokenKind};
