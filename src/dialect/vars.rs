//! Page and global variables with Franklin's defaults, aliases and type checks.
//!
//! Franklin keeps one table of site-wide ("global") variables filled by `config.md` and, for each
//! page, a table that starts from the local defaults with every global laid on top. Assigning a
//! known variable checks the value against the types its default accepts; a mismatch is reported
//! and the old value kept. Variables Franklin does not know accept any value.

use crate::dialect::value::Value;

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

/// A Julia type a default variable accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Nothing,
    Bool,
    Int,
    /// `Float64`; integers are accepted too.
    Float,
    Date,
    /// A vector whose elements are all strings (an empty vector counts).
    StrVec,
    /// A vector of strings and regexes (`ignore`, `keep_path`, `robots_disallow`).
    PatternVec,
    Dict,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "String",
            Ty::Nothing => "Nothing",
            Ty::Bool => "Bool",
            Ty::Int => "Int64",
            Ty::Float => "Float64",
            Ty::Date => "Date",
            Ty::StrVec => "Vector{String}",
            Ty::PatternVec => "Vector{Union{String, Regex}}",
            Ty::Dict => "Dict",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (Ty::Str, Value::Str(_))
            | (Ty::Nothing, Value::Nothing)
            | (Ty::Bool, Value::Bool(_))
            | (Ty::Int, Value::Int(_))
            | (Ty::Float, Value::Float(_) | Value::Int(_))
            | (Ty::Date, Value::Date { .. })
            | (Ty::Dict, Value::Dict(_)) => true,
            (Ty::StrVec, Value::Vector(items)) => items.iter().all(|x| matches!(x, Value::Str(_))),
            (Ty::PatternVec, Value::Vector(items)) => items
                .iter()
                .all(|x| matches!(x, Value::Str(_) | Value::Regex(_))),
            _ => false,
        }
    }
}

/// A default value, in a form that can live in a `const` table.
#[derive(Debug, Clone, Copy)]
enum Init {
    Str(&'static str),
    Bool(bool),
    Int(i64),
    Float(f64),
    Nothing,
    /// Julia's `Date(1)`, Franklin's "no date".
    DateOne,
    EmptyVec,
    EmptyDict,
}

impl Init {
    fn value(self) -> Value {
        match self {
            Init::Str(s) => Value::Str(s.to_string()),
            Init::Bool(b) => Value::Bool(b),
            Init::Int(i) => Value::Int(i),
            Init::Float(f) => Value::Float(f),
            Init::Nothing => Value::Nothing,
            Init::DateOne => Value::Date {
                year: 1,
                month: 1,
                day: 1,
            },
            Init::EmptyVec => Value::Vector(Vec::new()),
            Init::EmptyDict => Value::Dict(Vec::new()),
        }
    }
}

/// One default variable: its name, initial value and accepted types.
type Def = (&'static str, Init, &'static [Ty]);

const STR: &[Ty] = &[Ty::Str];
const BOOL: &[Ty] = &[Ty::Bool];
const INT: &[Ty] = &[Ty::Int];
const STR_VEC: &[Ty] = &[Ty::StrVec];
const PATTERNS: &[Ty] = &[Ty::PatternVec];
const DATE: &[Ty] = &[Ty::Date];

/// Franklin's global defaults (`GLOBAL_VARS_DEFAULT`).
const GLOBALS: &[Def] = &[
    ("author", Init::Str(""), &[Ty::Str, Ty::Nothing]),
    ("prepath", Init::Str(""), STR),
    ("date_format", Init::Str("U dd, yyyy"), STR),
    ("date_days", Init::EmptyVec, STR_VEC),
    ("date_shortdays", Init::EmptyVec, STR_VEC),
    ("date_months", Init::EmptyVec, STR_VEC),
    ("date_shortmonths", Init::EmptyVec, STR_VEC),
    ("tag_page_path", Init::Str("tag"), STR),
    ("title_links", Init::Bool(true), BOOL),
    ("ignore", Init::EmptyVec, PATTERNS),
    ("keep_path", Init::EmptyVec, PATTERNS),
    ("robots_disallow", Init::EmptyVec, PATTERNS),
    ("generate_robots", Init::Bool(true), BOOL),
    ("generate_rss", Init::Bool(false), BOOL),
    ("website_title", Init::Str(""), STR),
    ("website_url", Init::Str(""), STR),
    ("website_description", Init::Str(""), STR),
    ("rss_file", Init::Str("feed"), STR),
    ("rss_full_content", Init::Bool(false), BOOL),
    ("generate_sitemap", Init::Bool(true), BOOL),
    ("sitemap_file", Init::Str("sitemap"), STR),
    ("sitemap_strip_index", Init::Bool(true), BOOL),
    ("content_tag", Init::Str("div"), STR),
    ("content_class", Init::Str("franklin-content"), STR),
    ("content_id", Init::Str(""), STR),
    ("code_output_class", Init::Str("code-output"), STR),
    ("autocode", Init::Bool(true), BOOL),
    ("automath", Init::Bool(true), BOOL),
    ("fd_page_tags", Init::Nothing, &[Ty::Dict, Ty::Nothing]),
    ("fd_tag_pages", Init::Nothing, &[Ty::Dict, Ty::Nothing]),
    ("fd_rss_feed_url", Init::Str(""), STR),
    ("anchors", Init::EmptyDict, &[Ty::Dict]),
    ("literate_mds", Init::Bool(false), BOOL),
    ("auto_code_path", Init::Bool(false), BOOL),
    ("generate_tags", Init::Bool(true), BOOL),
    ("div_content", Init::Str(""), STR),
    ("_has_base_project", Init::Bool(false), BOOL),
];

/// Franklin's per-page defaults (`LOCAL_VARS_DEFAULT`).
const LOCALS: &[Def] = &[
    ("title", Init::Nothing, &[Ty::Str, Ty::Nothing]),
    ("hasmath", Init::Bool(false), BOOL),
    ("hascode", Init::Bool(false), BOOL),
    ("date", Init::DateOne, &[Ty::Str, Ty::Date, Ty::Nothing]),
    ("lang", Init::Str("julia"), STR),
    ("reflinks", Init::Bool(true), BOOL),
    ("indented_code", Init::Bool(false), BOOL),
    ("tags", Init::EmptyVec, STR_VEC),
    ("prerender", Init::Bool(true), BOOL),
    ("slug", Init::Str(""), STR),
    ("draft", Init::Bool(false), BOOL),
    ("mintoclevel", Init::Int(1), INT),
    ("maxtoclevel", Init::Int(10), INT),
    ("reeval", Init::Bool(false), BOOL),
    ("noeval", Init::Bool(false), BOOL),
    ("showall", Init::Bool(false), BOOL),
    ("fd_eval", Init::Bool(false), BOOL),
    ("header_anchor_class", Init::Str("header-anchor"), STR),
    ("rss_description", Init::Str(""), STR),
    ("rss_title", Init::Str(""), STR),
    ("rss_author", Init::Str(""), STR),
    ("rss_category", Init::Str(""), STR),
    ("rss_comments", Init::Str(""), STR),
    ("rss_enclosure", Init::Str(""), STR),
    ("rss_pubdate", Init::DateOne, &[Ty::Date, Ty::Nothing]),
    ("sitemap_changefreq", Init::Str("monthly"), STR),
    ("sitemap_priority", Init::Float(0.5), &[Ty::Float]),
    ("sitemap_exclude", Init::Bool(false), BOOL),
    ("robots_disallow_this_page", Init::Bool(false), BOOL),
    ("fd_mtime_raw", Init::DateOne, DATE),
    ("fd_ctime", Init::Str("0001-01-01"), STR),
    ("fd_mtime", Init::Str("0001-01-01"), STR),
    ("fd_rpath", Init::Str(""), STR),
    ("fd_url", Init::Str(""), STR),
    ("fd_full_url", Init::Str(""), STR),
    ("fd_tag", Init::Str(""), STR),
    ("fd_evalc", Init::Int(1), INT),
    ("fd_page_html", Init::Str(""), STR),
];

/// Other spellings Franklin accepts for some variables.
const ALIASES: &[(&str, &str)] = &[
    ("prefix", "prepath"),
    ("base_path", "prepath"),
    ("base_url", "website_url"),
    ("rss_website_url", "website_url"),
    ("rss_website_title", "website_title"),
    ("rss_website_descr", "website_description"),
    ("website_descr", "website_description"),
    ("rss_filename", "rss_file"),
    ("sitemap_filename", "sitemap_file"),
    ("rss", "rss_description"),
    ("rss_descr", "rss_description"),
];

/// The canonical name behind an alias (or the name itself).
fn canonical(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| target)
}

/// The types a default variable accepts; `None` for variables Franklin does not define.
fn accepted(name: &str) -> Option<&'static [Ty]> {
    LOCALS
        .iter()
        .chain(GLOBALS)
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, types)| *types)
}

/// Julia's name for the type of `v`, with the element type of vectors spelled out.
fn julia_type(v: &Value) -> String {
    let Value::Vector(items) = v else {
        return v.type_name().to_string();
    };
    let first = items.first().map(Value::type_name);
    match first {
        Some(t) if items.iter().all(|x| x.type_name() == t) => format!("Vector{{{t}}}"),
        _ => "Vector{Any}".to_string(),
    }
}

/// A short source-like rendering of a value for messages.
fn show(v: &Value) -> String {
    let text = match v {
        Value::Str(s) => format!("{s:?}"),
        other => other.to_julia_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// "A", "A or B", "A, B or C".
fn type_list(types: &[Ty]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Room made up front in a page's table of variables: the table's smallest size that holds a
/// page's usual own few (title, date, tags, author, `hasmath`...). A page kept in memory to
/// the end of a large build holds this table, so it is not made larger for the `fd_`
/// variables the build may add; those pages grow it once.
const PAGE_VARS: usize = 7;

/// Variables of a page or of the site, with Franklin's defaults.
///
/// A page's variables are layered: what the page sets, over a shared, read-only map of
/// the local defaults with the site's globals on top. Every page starts from the same
/// ~70 defaults, and copying them into each of thousands of pages cost more than
/// converting the pages.
#[derive(Debug, Clone, Default)]
pub struct PageVars {
    // Looked up for every template variable and page setting: a fast hash, since the keys
    // are short names the site's author wrote, not input an attacker can shape at scale.
    values: FxHashMap<String, Value>,
    base: Option<Arc<FxHashMap<String, Value>>>,
    user: Vec<String>,
    /// For a site's globals: the merged base handed to every page, made on first use.
    page_base: OnceLock<Arc<FxHashMap<String, Value>>>,
}

impl PageVars {
    fn from_defaults(defs: &[Def]) -> PageVars {
        PageVars {
            values: defs
                .iter()
                .map(|(name, init, _)| (name.to_string(), init.value()))
                .collect(),
            ..PageVars::default()
        }
    }

    /// Franklin's global defaults (dialect doc §3.4 "Global").
    pub fn globals() -> PageVars {
        PageVars::from_defaults(GLOBALS)
    }

    /// Every variable, own ones over the base.
    fn flattened(&self) -> FxHashMap<String, Value> {
        let mut all = self.base.as_deref().cloned().unwrap_or_default();
        for (k, v) in &self.values {
            all.insert(k.clone(), v.clone());
        }
        all
    }

    /// A page's variables: local defaults (§3.4 "Local"), then every global on top (globals override local defaults).
    ///
    /// The page starts with no user names of its own: `user_names` lists what the page sets.
    pub fn for_page(globals: &PageVars) -> PageVars {
        let base = globals.page_base.get_or_init(|| {
            let mut merged = PageVars::from_defaults(LOCALS).values;
            for (name, value) in globals.flattened() {
                merged.insert(name, value);
            }
            Arc::new(merged)
        });
        PageVars {
            base: Some(base.clone()),
            // Room for the page's own, at once (see `PAGE_VARS`).
            values: FxHashMap::with_capacity_and_hasher(PAGE_VARS, Default::default()),
            ..PageVars::default()
        }
    }

    /// Looks a variable up (aliases resolved).
    pub fn get(&self, name: &str) -> Option<&Value> {
        let key = canonical(name);
        self.values
            .get(key)
            .or_else(|| self.base.as_ref().and_then(|b| b.get(key)))
    }

    /// Sets a variable after Franklin's type check against the default's type (§3.1); aliases
    /// resolved. Err(message) on a type mismatch; the old value is kept. New names accept any value.
    pub fn set(&mut self, name: &str, value: Value) -> Result<(), String> {
        let key = canonical(name);
        if let Some(types) = accepted(key) {
            if !types.iter().any(|t| t.accepts(&value)) {
                return Err(format!(
                    "`{key}` expects {}, got {} (`{}`)",
                    type_list(types),
                    julia_type(&value),
                    show(&value)
                ));
            }
        }
        if !self.user.iter().any(|n| n == key) {
            self.user.push(key.to_string());
        }
        self.values.insert(key.to_string(), value);
        self.page_base.take();
        Ok(())
    }

    /// Sets without any type check (for computed variables such as fd_url).
    ///
    /// Such variables are not counted as user names.
    pub fn set_raw(&mut self, name: &str, value: Value) {
        self.values.insert(canonical(name).to_string(), value);
        self.page_base.take();
    }

    /// The string value of a variable, "" when absent or not a string.
    pub fn str(&self, name: &str) -> &str {
        self.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// The boolean value, false when absent or not a bool.
    pub fn bool(&self, name: &str) -> bool {
        self.get(name).and_then(Value::as_bool).unwrap_or(false)
    }

    /// An integer value (Int, or Float with no fraction), when present.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(i) => Some(*i),
            // The range check keeps the cast exact (no saturation of huge floats).
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    /// A list of strings (e.g. `tags`, `ignore`), empty when absent.
    ///
    /// Non-string elements (such as the regexes of `ignore`) are left out; use `get` for those.
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.get(name)
            .and_then(Value::as_list)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// True when the variable exists (defaults count, as in Franklin's `isdef`).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The variables set on this page itself (explicitly or computed), sorted by name:
    /// what distinguishes it from the shared defaults.
    pub fn own_values(&self) -> Vec<(&str, &Value)> {
        let mut v: Vec<(&str, &Value)> = self.values.iter().map(|(k, v)| (k.as_str(), v)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Names set explicitly (not defaults), in the order they were first set.
    pub fn user_names(&self) -> &[String] {
        &self.user
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_resolves() {
        for (alias, target) in ALIASES {
            assert_eq!(canonical(alias), *target);
        }
        assert_eq!(canonical("title"), "title");
    }

    fn s(x: &str) -> Value {
        Value::Str(x.to_string())
    }

    #[test]
    fn global_defaults_present() {
        let g = PageVars::globals();
        assert_eq!(g.str("date_format"), "U dd, yyyy");
        assert_eq!(g.str("tag_page_path"), "tag");
        assert_eq!(g.str("content_class"), "franklin-content");
        assert_eq!(g.str("rss_file"), "feed");
        assert!(g.bool("generate_sitemap"));
        assert!(!g.bool("generate_rss"));
        assert_eq!(g.get("author"), Some(&s("")));
        assert!(g.strings("ignore").is_empty());
        // locals are not globals
        assert!(!g.contains("title"));
        assert!(g.user_names().is_empty());
    }

    #[test]
    fn page_defaults_present() {
        let p = PageVars::for_page(&PageVars::globals());
        assert_eq!(p.get("title"), Some(&Value::Nothing));
        assert!(p.contains("title"));
        assert_eq!(p.str("lang"), "julia");
        assert_eq!(p.int("mintoclevel"), Some(1));
        assert_eq!(p.int("maxtoclevel"), Some(10));
        assert_eq!(p.get("sitemap_priority"), Some(&Value::Float(0.5)));
        assert_eq!(
            p.get("date"),
            Some(&Value::Date {
                year: 1,
                month: 1,
                day: 1
            })
        );
        assert!(p.bool("reflinks"));
        assert_eq!(p.str("header_anchor_class"), "header-anchor");
        // globals are visible on every page
        assert_eq!(p.str("date_format"), "U dd, yyyy");
        assert!(!p.contains("hasplotly"));
    }

    #[test]
    fn globals_override_local_defaults() {
        let mut g = PageVars::globals();
        g.set("mintoclevel", Value::Int(2)).unwrap_or_default();
        g.set("hasplotly", Value::Bool(false)).unwrap_or_default();
        g.set("author", s("Mia Kramer")).unwrap_or_default();
        let mut p = PageVars::for_page(&g);
        assert_eq!(p.int("mintoclevel"), Some(2));
        assert!(p.contains("hasplotly"));
        assert_eq!(p.str("author"), "Mia Kramer");
        assert!(p.user_names().is_empty());
        p.set("hasplotly", Value::Bool(true)).unwrap_or_default();
        assert!(p.bool("hasplotly"));
        // the page's changes do not leak back into the globals
        assert!(!g.bool("hasplotly"));
    }

    #[test]
    fn aliases_resolve_on_set_and_get() {
        let mut g = PageVars::globals();
        assert_eq!(
            g.set("website_descr", s("Make the quantum bay great!")),
            Ok(())
        );
        assert_eq!(g.str("website_description"), "Make the quantum bay great!");
        assert_eq!(g.str("rss_website_descr"), "Make the quantum bay great!");
        g.set("base_url", s("https://x.org/")).unwrap_or_default();
        assert_eq!(g.str("website_url"), "https://x.org/");
        g.set("prefix", s("julia-workshop")).unwrap_or_default();
        assert_eq!(g.str("prepath"), "julia-workshop");
        assert_eq!(g.str("base_path"), "julia-workshop");
        g.set("rss_filename", s("post/index")).unwrap_or_default();
        assert_eq!(g.str("rss_file"), "post/index");
        g.set("sitemap_filename", s("map")).unwrap_or_default();
        assert_eq!(g.str("sitemap_file"), "map");
        g.set("rss_website_title", s("T")).unwrap_or_default();
        assert_eq!(g.str("website_title"), "T");
        assert_eq!(
            g.user_names(),
            [
                "website_description",
                "website_url",
                "prepath",
                "rss_file",
                "sitemap_file",
                "website_title"
            ]
        );

        let mut p = PageVars::for_page(&g);
        p.set("rss", s("This page is about XXX."))
            .unwrap_or_default();
        assert_eq!(p.str("rss_description"), "This page is about XXX.");
        p.set("rss_descr", s("other")).unwrap_or_default();
        assert_eq!(p.str("rss"), "other");
        assert!(p.contains("rss"));
    }

    #[test]
    fn type_mismatch_keeps_old_value() {
        let mut p = PageVars::for_page(&PageVars::globals());
        p.set("title", s("Day 1")).unwrap_or_default();
        let e = p.set("title", Value::Int(5));
        assert_eq!(
            e,
            Err("`title` expects String or Nothing, got Int64 (`5`)".into())
        );
        assert_eq!(p.str("title"), "Day 1");
        let e = p.set("hasmath", s("false"));
        assert_eq!(
            e,
            Err("`hasmath` expects Bool, got String (`\"false\"`)".into())
        );
        assert!(!p.bool("hasmath"));
        let e = p.set("mintoclevel", Value::Float(2.0));
        assert_eq!(
            e,
            Err("`mintoclevel` expects Int64, got Float64 (`2.0`)".into())
        );
        assert_eq!(p.int("mintoclevel"), Some(1));
        let e = p.set("rss", Value::Bool(true));
        assert_eq!(
            e,
            Err("`rss_description` expects String, got Bool (`true`)".into())
        );
        assert_eq!(p.user_names(), ["title"]);
    }

    #[test]
    fn accepted_union_types() {
        let mut p = PageVars::for_page(&PageVars::globals());
        let date = Value::Date {
            year: 2021,
            month: 12,
            day: 31,
        };
        assert_eq!(p.set("date", s("2020-01-01")), Ok(()));
        assert_eq!(p.set("date", date.clone()), Ok(()));
        assert_eq!(p.set("date", Value::Nothing), Ok(()));
        assert!(p.set("date", Value::Int(2020)).is_err());
        assert_eq!(p.set("rss_pubdate", date.clone()), Ok(()));
        assert_eq!(p.set("rss_pubdate", Value::Nothing), Ok(()));
        let e = p.set("rss_pubdate", s("2021-12-31"));
        assert_eq!(
            e,
            Err("`rss_pubdate` expects Date or Nothing, got String (`\"2021-12-31\"`)".into())
        );
        assert_eq!(p.set("title", Value::Nothing), Ok(()));
        assert_eq!(p.set("author", Value::Nothing), Ok(()));
        // a Float default accepts an Int
        assert_eq!(p.set("sitemap_priority", Value::Int(1)), Ok(()));
        assert_eq!(p.set("sitemap_priority", Value::Float(0.8)), Ok(()));
        assert!(p.set("sitemap_priority", s("high")).is_err());
    }

    #[test]
    fn vector_element_types_are_checked() {
        let mut p = PageVars::for_page(&PageVars::globals());
        let tags = Value::Vector(vec![s("git"), s("basics")]);
        assert_eq!(p.set("tags", tags), Ok(()));
        assert_eq!(p.strings("tags"), ["git", "basics"]);
        // lenient: an empty `[]` is fine for tags
        assert_eq!(p.set("tags", Value::Vector(vec![])), Ok(()));
        let e = p.set("tags", Value::Vector(vec![s("a"), Value::Int(1)]));
        assert_eq!(
            e,
            Err("`tags` expects Vector{String}, got Vector{Any} (`[\"a\", 1]`)".into())
        );
        assert!(p.set("tags", s("git")).is_err());
        assert!(p.set("tags", Value::Tuple(vec![s("git")])).is_err());
        assert!(p.strings("tags").is_empty());

        let mut g = PageVars::globals();
        let ignore = Value::Vector(vec![s("node_modules/"), Value::Regex("^old".into())]);
        assert_eq!(g.set("ignore", ignore), Ok(()));
        assert_eq!(g.strings("ignore"), ["node_modules/"]);
        assert_eq!(
            g.set("keep_path", Value::Vector(vec![s("404.html")])),
            Ok(())
        );
        let e = g.set("robots_disallow", Value::Vector(vec![Value::Int(3)]));
        assert_eq!(
            e,
            Err(
                "`robots_disallow` expects Vector{Union{String, Regex}}, got Vector{Int64} (`[3]`)"
                    .into()
            )
        );
        assert!(g
            .set("date_months", Value::Vector(vec![Value::Int(1)]))
            .is_err());
    }

    #[test]
    fn new_names_accept_anything_and_record_order() {
        let mut p = PageVars::for_page(&PageVars::globals());
        p.set("var2", s("Hello goodbye")).unwrap_or_default();
        p.set("var1", Value::Vector(vec![Value::Int(1)]))
            .unwrap_or_default();
        p.set("var2", Value::Int(3)).unwrap_or_default();
        assert_eq!(p.user_names(), ["var2", "var1"]);
        assert_eq!(p.get("var2"), Some(&Value::Int(3)));
        assert_eq!(p.int("var2"), Some(3));
    }

    #[test]
    fn set_raw_skips_the_check() {
        let mut p = PageVars::for_page(&PageVars::globals());
        p.set_raw("fd_url", s("/blog/post/"));
        p.set_raw("hasmath", s("odd"));
        assert_eq!(p.str("fd_url"), "/blog/post/");
        assert_eq!(p.str("hasmath"), "odd");
        assert!(!p.bool("hasmath"));
        assert!(p.user_names().is_empty());
    }

    #[test]
    fn typed_accessors() {
        let mut p = PageVars::for_page(&PageVars::globals());
        p.set("n", Value::Float(3.0)).unwrap_or_default();
        p.set("x", Value::Float(3.5)).unwrap_or_default();
        assert_eq!(p.int("n"), Some(3));
        assert_eq!(p.int("x"), None);
        assert_eq!(p.int("missing"), None);
        assert_eq!(p.str("missing"), "");
        assert_eq!(p.str("mintoclevel"), "");
        assert!(!p.bool("missing"));
        assert!(!p.contains("missing"));
        assert!(p.strings("missing").is_empty());
    }

    #[test]
    fn evaluated_block_feeds_the_store() {
        use crate::dialect::julia::eval_block;
        let src = "author = \"Mia Kramer\"\nmintoclevel = 2\nprepath = \"julia-workshop\"\n\
                   ignore = [\"node_modules/\", \"old/\", \"README.md\"]\ngenerate_rss = false\n\
                   website_title = \"IAM Julia Workshop\"\ntitle = 5\n";
        let (assignments, errs) = eval_block(src, &|_| None);
        assert!(errs.is_empty());
        let mut g = PageVars::globals();
        let problems: Vec<String> = assignments
            .into_iter()
            .filter_map(|a| g.set(&a.name, a.value).err())
            .collect();
        // Franklin would take `title = 5` in config.md as a new global; notes checks every
        // known variable wherever it is set.
        assert_eq!(
            problems,
            ["`title` expects String or Nothing, got Int64 (`5`)"]
        );
        let p = PageVars::for_page(&g);
        assert_eq!(p.int("mintoclevel"), Some(2));
        assert_eq!(p.strings("ignore"), ["node_modules/", "old/", "README.md"]);
        assert_eq!(p.get("title"), Some(&Value::Nothing));
    }
}
