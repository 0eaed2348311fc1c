//! The words the lexer reports as keywords. KQL keywords are lower-case and
//! case-sensitive (only the boolean literals also come capitalised), and table and column names in Advanced Hunting are
//! PascalCase, so a lower-case list cannot swallow a schema name. Function
//! names are not listed: a name followed by `(` is a call anyway.

/// True when `word` is a KQL keyword.
pub fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        // tabular operators
        "as" | "consume" | "count" | "distinct" | "evaluate" | "extend" | "facet"
            | "filter" | "find" | "fork" | "getschema" | "invoke" | "join" | "limit"
            | "lookup" | "make-series" | "mv-apply" | "mv-expand" | "order" | "parse"
            | "parse-kv" | "parse-where" | "partition" | "print" | "project"
            | "project-away" | "project-keep" | "project-rename" | "project-reorder"
            | "range" | "reduce" | "render" | "sample" | "sample-distinct" | "scan"
            | "search" | "serialize" | "sort" | "summarize" | "take" | "top" | "mvexpand"
            | "top-hitters" | "top-nested" | "union" | "where"
            // statements
            | "alias" | "declare" | "let" | "pattern" | "query_parameters" | "restrict"
            | "set" | "view"
            // clauses and operator parameters
            | "by" | "on" | "with" | "kind" | "withsource" | "isfuzzy" | "hint"
            | "with_itemindex" | "bagexpansion" | "decodeblocks" | "flags" | "to" | "from"
            | "step" | "of" | "asc" | "desc" | "nulls" | "first" | "last"
            // join kinds
            | "inner" | "innerunique" | "leftouter" | "rightouter" | "fullouter"
            | "leftanti" | "rightanti" | "leftsemi" | "rightsemi" | "anti"
            | "leftantisemi" | "rightantisemi"
            // scalar operators
            | "and" | "or" | "in" | "has" | "has_cs" | "hasprefix" | "hasprefix_cs"
            | "hassuffix" | "hassuffix_cs" | "has_any" | "has_all" | "contains"
            | "contains_cs" | "startswith" | "startswith_cs" | "endswith" | "endswith_cs"
            | "matches" | "regex" | "between"
            // literals and types
            | "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "bool" | "boolean" | "int" | "long" | "real"
            | "double" | "decimal" | "string" | "datetime" | "date" | "time" | "timespan"
            | "dynamic" | "guid" | "typeof"
    )
}

/// True for the hyphenated operator names, which the lexer joins into one
/// token (`project-rename`) instead of `project`, `-`, `rename`.
pub fn is_hyphenated_keyword(word: &str) -> bool {
    word.contains('-') && is_keyword(word)
}

/// The types a `name:type` declaration can name.
pub fn is_type_name(word: &str) -> bool {
    matches!(
        word,
        "bool"
            | "boolean"
            | "int"
            | "long"
            | "real"
            | "double"
            | "decimal"
            | "string"
            | "datetime"
            | "date"
            | "time"
            | "timespan"
            | "dynamic"
            | "guid"
    )
}

/// True for the time units a timespan literal may end in.
pub fn is_timespan_unit(suffix: &str) -> bool {
    matches!(
        suffix,
        "d" | "day"
            | "days"
            | "h"
            | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "m"
            | "min"
            | "minute"
            | "minutes"
            | "s"
            | "sec"
            | "second"
            | "seconds"
            | "ms"
            | "milli"
            | "millis"
            | "millisec"
            | "millisecond"
            | "milliseconds"
            | "microsec"
            | "microsecond"
            | "microseconds"
            | "tick"
            | "ticks"
    )
}

/// Names whose call syntax writes a literal: `datetime(2024-01-01)`.
pub fn is_typed_literal_name(word: &str) -> bool {
    matches!(word, "datetime" | "date" | "time" | "timespan" | "guid")
}
