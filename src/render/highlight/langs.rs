//! The language tables of the generic lexer, and the mapping from fence names to lexers.

use super::generic::{q, q1, qraw, words, Apostrophe, Keys, Lang, Prefix, Quote, BASE};

/// The lexer a fence language is highlighted with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lexer {
    /// The generic table-driven lexer with this language.
    Generic(&'static Lang),
    /// YAML.
    Yaml,
    /// Markdown.
    Markdown,
    /// HTML and XML.
    Markup,
}

/// The lexer for a fence language (already lowercased), given the block's escaped code; `None`
/// for plain text and unknown languages.
pub(crate) fn lexer_for(lang: &str, code: &str) -> Option<Lexer> {
    let lexer = match lang {
        // A session pasted into a plain `julia` block is still a session.
        "julia" | "jl" | "julia-repl" | "jldoctest" | "juliarepl" | "julia-console" => {
            if is_session(code, &JULIA_REPL) {
                Lexer::Generic(&JULIA_REPL)
            } else {
                Lexer::Generic(&JULIA)
            }
        }
        "python" | "py" | "python3" | "py3" => {
            if is_session(code, &PYCON) {
                Lexer::Generic(&PYCON)
            } else {
                Lexer::Generic(&PYTHON)
            }
        }
        "pycon" | "python-repl" => Lexer::Generic(&PYCON),
        "bash" | "sh" | "shell" | "zsh" | "ksh" | "shellscript" => Lexer::Generic(&BASH),
        "console" | "shell-session" | "sh-session" | "shellsession" | "terminal" => {
            Lexer::Generic(&CONSOLE)
        }
        "yaml" | "yml" => Lexer::Yaml,
        "toml" | "ini" | "cfg" | "conf" | "editorconfig" => Lexer::Generic(&TOML),
        "json" | "jsonc" | "json5" | "geojson" => Lexer::Generic(&JSON),
        "rust" | "rs" => Lexer::Generic(&RUST),
        "c" | "h" | "cpp" | "c++" | "cxx" | "cc" | "hpp" | "hxx" | "cuda" | "objc" => {
            Lexer::Generic(&C)
        }
        "javascript" | "js" | "jsx" | "mjs" | "cjs" | "typescript" | "ts" | "tsx" | "node" => {
            Lexer::Generic(&JS)
        }
        "r" | "rscript" | "splus" => Lexer::Generic(&R),
        "dockerfile" | "docker" | "containerfile" => Lexer::Generic(&DOCKERFILE),
        "markdown" | "md" | "franklin" | "commonmark" | "gfm" => Lexer::Markdown,
        "html" | "xml" | "svg" | "xhtml" | "htm" | "vue" | "rss" | "atom" | "plist" => {
            Lexer::Markup
        }
        "sql" | "psql" | "postgresql" | "mysql" | "sqlite" | "plsql" => Lexer::Generic(&SQL),
        "make" | "makefile" | "mk" | "mak" => Lexer::Generic(&MAKE),
        _ => return None,
    };
    Some(lexer)
}

/// Whether `code` starts with one of the prompts of `session`, its `>` escaped or not.
fn is_session(code: &str, session: &Lang) -> bool {
    let start = code.trim_start();
    // Julia's package prompt names the environment first: `(@v1.10) pkg>`.
    let start = match start
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
    {
        Some((_, after)) => after,
        None => start,
    };
    session.prompts.iter().any(|prompt| {
        let mut rest = start;
        prompt.chars().all(|c| {
            let after = match c {
                '>' => rest.strip_prefix("&gt;").or_else(|| rest.strip_prefix('>')),
                _ => rest.strip_prefix(c),
            };
            after.map(|after| rest = after).is_some()
        })
    })
}

/// Julia.
pub(crate) const JULIA: Lang = Lang {
    keywords: words(&[
        "abstract",
        "baremodule",
        "begin",
        "break",
        "catch",
        "const",
        "continue",
        "do",
        "else",
        "elseif",
        "end",
        "export",
        "finally",
        "for",
        "function",
        "global",
        "if",
        "import",
        "in",
        "isa",
        "let",
        "local",
        "macro",
        "module",
        "mutable",
        "outer",
        "primitive",
        "public",
        "quote",
        "return",
        "struct",
        "try",
        "type",
        "using",
        "where",
        "while",
    ]),
    constants: words(&[
        "Inf", "Inf32", "NaN", "NaN32", "false", "im", "missing", "nothing", "pi", "true", "π",
    ]),
    def_fn: &["function", "macro"],
    def_type: &["struct", "type"],
    line_comments: &["#"],
    block_comments: &[("#=", "=#", true)],
    quotes: &[
        q("\"\"\"", "\"\"\""),
        q("\"", "\""),
        q("```", "```"),
        q("`", "`"),
    ],
    prefix: Prefix::Any,
    apostrophe: Apostrophe::Julia,
    bang_names: true,
    at_meta: true,
    caps_types: true,
    symbols: true,
    ..BASE
}
.ready();

/// Julia REPL sessions: `julia>` lines are code, the rest is output.
pub(crate) const JULIA_REPL: Lang = Lang {
    prompts: &["julia>", "shell>", "help?>", "pkg>"],
    ..JULIA
}
.ready();

/// Python string quotes, the triple ones first.
const PYTHON_QUOTES: &[Quote] = &[
    q("\"\"\"", "\"\"\""),
    q("'''", "'''"),
    q1("\"", "\""),
    q1("'", "'"),
];

/// Python.
pub(crate) const PYTHON: Lang = Lang {
    keywords: words(&[
        "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield",
    ]),
    types: words(&[
        "abs",
        "all",
        "any",
        "bool",
        "bytes",
        "dict",
        "enumerate",
        "filter",
        "float",
        "frozenset",
        "int",
        "isinstance",
        "len",
        "list",
        "map",
        "max",
        "min",
        "object",
        "open",
        "print",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "sorted",
        "str",
        "sum",
        "super",
        "tuple",
        "type",
        "zip",
    ]),
    constants: words(&["False", "None", "NotImplemented", "True", "self"]),
    def_fn: &["def"],
    def_type: &["class"],
    line_comments: &["#"],
    quotes: PYTHON_QUOTES,
    prefix: Prefix::List(&["b", "br", "f", "fr", "r", "rb", "rf", "u"]),
    at_meta: true,
    caps_types: true,
    number_suffix: true,
    ..BASE
}
.ready();

/// Python interactive sessions (`>>>` and `...` prompts).
pub(crate) const PYCON: Lang = Lang {
    prompts: &[">>>", "..."],
    ..PYTHON
}
.ready();

/// Shell keywords.
const SHELL_KEYWORDS: &[&str] = &[
    "case", "declare", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function",
    "if", "in", "local", "readonly", "return", "select", "then", "time", "unset", "until", "while",
];

/// Shell builtins.
const SHELL_BUILTINS: &[&str] = &[
    "alias", "cd", "command", "echo", "eval", "exec", "exit", "printf", "pwd", "read", "set",
    "shift", "source", "test", "trap", "type", "ulimit", "umask", "wait",
];

/// Bash and other POSIX shells.
pub(crate) const BASH: Lang = Lang {
    keywords: words(SHELL_KEYWORDS),
    types: words(SHELL_BUILTINS),
    constants: words(&["false", "true"]),
    def_fn: &["function"],
    line_comments: &["#"],
    comment_after_blank: true,
    quotes: &[q("\"", "\""), qraw("'", "'")],
    word_extra: b"-",
    dollar_vars: true,
    calls: false,
    ..BASE
}
.ready();

/// Shell sessions: `$` and `%` lines are commands, the rest is output.
pub(crate) const CONSOLE: Lang = Lang {
    prompts: &["$", "%", ">"],
    ..BASH
}
.ready();

/// TOML and INI files.
pub(crate) const TOML: Lang = Lang {
    constants: words(&["false", "inf", "nan", "true"]),
    line_comments: &["#", ";"],
    comment_after_blank: true,
    quotes: &[
        q("\"\"\"", "\"\"\""),
        qraw("'''", "'''"),
        q1("\"", "\""),
        Quote {
            open: "'",
            close: "'",
            escape: false,
            multiline: false,
        },
    ],
    word_extra: b"-",
    calls: false,
    keys: Keys::Equals,
    headers: true,
    number_extra: b"-:.+_",
    ..BASE
}
.ready();

/// JSON.
pub(crate) const JSON: Lang = Lang {
    constants: words(&["false", "null", "true"]),
    line_comments: &["//"],
    block_comments: &[("/*", "*/", false)],
    quotes: &[q1("\"", "\"")],
    calls: false,
    keys: Keys::Colon,
    ..BASE
}
.ready();

/// Rust.
pub(crate) const RUST: Lang = Lang {
    keywords: words(&[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "static", "struct", "super", "trait", "type", "unsafe", "use",
        "where", "while", "yield",
    ]),
    types: words(&[
        "bool", "char", "f32", "f64", "i128", "i16", "i32", "i64", "i8", "isize", "str", "u128",
        "u16", "u32", "u64", "u8", "usize",
    ]),
    constants: words(&["false", "self", "true"]),
    def_fn: &["fn"],
    def_type: &["enum", "struct", "trait", "type"],
    line_comments: &["//"],
    block_comments: &[("/*", "*/", true)],
    quotes: &[q("\"", "\"")],
    prefix: Prefix::List(&["b", "c"]),
    apostrophe: Apostrophe::Rust,
    raw_hash: true,
    bang_macros: true,
    caps_types: true,
    attributes: true,
    number_suffix: true,
    ..BASE
}
.ready();

/// C and C++.
pub(crate) const C: Lang = Lang {
    keywords: words(&[
        "auto",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "constexpr",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "extern",
        "for",
        "friend",
        "goto",
        "if",
        "inline",
        "namespace",
        "new",
        "noexcept",
        "operator",
        "private",
        "protected",
        "public",
        "register",
        "return",
        "sizeof",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "try",
        "typedef",
        "typename",
        "union",
        "using",
        "virtual",
        "volatile",
        "while",
    ]),
    types: words(&[
        "bool", "char", "double", "float", "int", "int16_t", "int32_t", "int64_t", "int8_t",
        "long", "short", "signed", "size_t", "std", "string", "uint16_t", "uint32_t", "uint64_t",
        "uint8_t", "unsigned", "vector", "void",
    ]),
    constants: words(&["NULL", "false", "nullptr", "true"]),
    def_type: &["class", "enum", "struct", "union"],
    line_comments: &["//"],
    block_comments: &[("/*", "*/", false)],
    quotes: &[q1("\"", "\""), q1("'", "'")],
    prefix: Prefix::List(&["L", "R", "U", "u", "u8"]),
    preprocessor: true,
    number_suffix: true,
    ..BASE
}
.ready();

/// JavaScript and TypeScript.
pub(crate) const JS: Lang = Lang {
    keywords: words(&[
        "as",
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "of",
        "private",
        "protected",
        "public",
        "readonly",
        "return",
        "static",
        "switch",
        "throw",
        "try",
        "type",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ]),
    types: words(&[
        "any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown",
    ]),
    constants: words(&[
        "Infinity",
        "NaN",
        "false",
        "null",
        "super",
        "this",
        "true",
        "undefined",
    ]),
    def_fn: &["function"],
    def_type: &["class", "interface", "type"],
    line_comments: &["//"],
    block_comments: &[("/*", "*/", false)],
    quotes: &[q1("\"", "\""), q1("'", "'"), q("`", "`")],
    word_extra: b"$",
    start_extra: b"$",
    at_meta: true,
    caps_types: true,
    number_suffix: true,
    ..BASE
}
.ready();

/// R.
pub(crate) const R: Lang = Lang {
    keywords: words(&[
        "break", "else", "for", "function", "if", "in", "next", "repeat", "return", "while",
    ]),
    types: words(&[
        "c",
        "data.frame",
        "library",
        "list",
        "matrix",
        "print",
        "require",
        "vector",
    ]),
    constants: words(&[
        "FALSE",
        "Inf",
        "NA",
        "NA_character_",
        "NA_integer_",
        "NA_real_",
        "NULL",
        "NaN",
        "T",
        "TRUE",
    ]),
    line_comments: &["#"],
    quotes: &[q("\"", "\""), q("'", "'"), qraw("`", "`")],
    word_extra: b".",
    start_extra: b".",
    number_suffix: true,
    ..BASE
}
.ready();

/// Dockerfiles: uppercase instructions, shell everywhere else.
pub(crate) const DOCKERFILE: Lang = Lang {
    keywords: words(&[
        "ADD",
        "ARG",
        "AS",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
        "do",
        "done",
        "else",
        "fi",
        "for",
        "if",
        "then",
    ]),
    types: words(SHELL_BUILTINS),
    line_comments: &["#"],
    comment_after_blank: true,
    quotes: &[q("\"", "\""), qraw("'", "'")],
    word_extra: b"-",
    dollar_vars: true,
    calls: false,
    ..BASE
}
.ready();

/// SQL, compared without case.
pub(crate) const SQL: Lang = Lang {
    keywords: words(&[
        "add",
        "all",
        "alter",
        "and",
        "as",
        "asc",
        "begin",
        "between",
        "by",
        "case",
        "commit",
        "constraint",
        "create",
        "cross",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "exists",
        "foreign",
        "from",
        "full",
        "group",
        "having",
        "if",
        "in",
        "index",
        "inner",
        "insert",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "not",
        "offset",
        "on",
        "or",
        "order",
        "outer",
        "primary",
        "references",
        "returning",
        "right",
        "rollback",
        "select",
        "set",
        "table",
        "then",
        "transaction",
        "union",
        "unique",
        "update",
        "values",
        "view",
        "when",
        "where",
        "with",
    ]),
    types: words(&[
        "bigint",
        "blob",
        "boolean",
        "char",
        "date",
        "decimal",
        "double",
        "float",
        "int",
        "integer",
        "numeric",
        "real",
        "serial",
        "smallint",
        "text",
        "timestamp",
        "varchar",
    ]),
    constants: words(&["false", "null", "true"]),
    ignore_case: true,
    line_comments: &["--"],
    block_comments: &[("/*", "*/", false)],
    quotes: &[q1("'", "'"), q1("\"", "\"")],
    ..BASE
}
.ready();

/// Makefiles.
pub(crate) const MAKE: Lang = Lang {
    keywords: words(&[
        ".DEFAULT_GOAL",
        ".PHONY",
        ".SUFFIXES",
        "define",
        "else",
        "endef",
        "endif",
        "export",
        "ifdef",
        "ifeq",
        "ifndef",
        "ifneq",
        "include",
        "override",
        "unexport",
    ]),
    line_comments: &["#"],
    comment_after_blank: true,
    quotes: &[q1("\"", "\""), q1("'", "'")],
    word_extra: b"-./",
    start_extra: b".",
    dollar_vars: true,
    calls: false,
    keys: Keys::Make,
    ..BASE
}
.ready();

/// Every generic table, for the tests that check them.
#[cfg(test)]
pub(crate) const ALL: &[(&str, &Lang)] = &[
    ("julia", &JULIA),
    ("julia-repl", &JULIA_REPL),
    ("python", &PYTHON),
    ("pycon", &PYCON),
    ("bash", &BASH),
    ("console", &CONSOLE),
    ("toml", &TOML),
    ("json", &JSON),
    ("rust", &RUST),
    ("c", &C),
    ("js", &JS),
    ("r", &R),
    ("dockerfile", &DOCKERFILE),
    ("sql", &SQL),
    ("make", &MAKE),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_so_words_of_one_first_byte_are_together() {
        for (name, lang) in ALL {
            for list in [lang.keywords.list, lang.types.list, lang.constants.list] {
                assert!(
                    list.windows(2).all(|w| w[0] < w[1]),
                    "{name}: {list:?} is not sorted"
                );
                if lang.ignore_case {
                    assert!(list.iter().all(|w| *w == w.to_ascii_lowercase()), "{name}");
                }
            }
            for def in lang.def_fn.iter().chain(lang.def_type) {
                assert!(
                    lang.keywords.list.contains(def),
                    "{name}: {def} is not a keyword"
                );
            }
        }
    }

    #[test]
    fn every_table_has_the_byte_table_of_its_fields() {
        for (name, lang) in ALL {
            assert!(
                lang.is_ready(),
                "{name}: the table does not end with `.ready()`"
            );
        }
    }

    #[test]
    fn word_lists_find_exactly_their_words() {
        for (name, lang) in ALL {
            for words in [lang.keywords, lang.types, lang.constants] {
                for w in words.list {
                    let shorter = &w[..w.char_indices().last().map_or(0, |(k, _)| k)];
                    for probe in [w.to_string(), format!("{w}x"), shorter.to_string()] {
                        assert_eq!(
                            words.contains(&probe),
                            words.list.contains(&probe.as_str()),
                            "{name}: {probe}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn aliases_and_repl_detection() {
        assert!(matches!(lexer_for("jl", "x"), Some(Lexer::Generic(l)) if l.prompts.is_empty()));
        assert!(
            matches!(lexer_for("julia", "julia&gt; 1"), Some(Lexer::Generic(l)) if !l.prompts.is_empty())
        );
        assert!(matches!(lexer_for("yml", ""), Some(Lexer::Yaml)));
        assert!(matches!(lexer_for("xml", ""), Some(Lexer::Markup)));
        assert!(matches!(lexer_for("md", ""), Some(Lexer::Markdown)));
        for session in [
            "julia&gt; 1",
            "julia> 1",
            "(@v1.10) pkg&gt; add X",
            "  shell&gt; ls",
        ] {
            assert!(
                matches!(lexer_for("julia", session), Some(Lexer::Generic(l)) if !l.prompts.is_empty()),
                "{session}"
            );
        }
        assert!(
            matches!(lexer_for("py", "&gt;&gt;&gt; 1"), Some(Lexer::Generic(l)) if !l.prompts.is_empty())
        );
        assert!(
            matches!(lexer_for("py", "x &gt; 1"), Some(Lexer::Generic(l)) if l.prompts.is_empty())
        );
        assert!(lexer_for("klingon", "").is_none());
        assert!(lexer_for("plaintext", "").is_none());
    }
}
