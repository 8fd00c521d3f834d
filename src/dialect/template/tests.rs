//! Tests of the template engine against a small in-memory host.

use super::*;

#[derive(Default)]
struct Host {
    vars: Vec<(String, Value)>,
    pages: Vec<(String, String, Value)>,
    layouts: Vec<(String, String)>,
    key: String,
    heads: Vec<Heading>,
    utils: Vec<String>,
    calls: Vec<(String, Vec<String>)>,
}

impl Host {
    fn new() -> Host {
        Host {
            key: "index".into(),
            ..Host::default()
        }
    }
    fn var(mut self, name: &str, v: Value) -> Host {
        self.vars.push((name.into(), v));
        self
    }
    fn layout(mut self, path: &str, text: &str) -> Host {
        self.layouts.push((path.into(), text.into()));
        self
    }
    fn key(mut self, k: &str) -> Host {
        self.key = k.into();
        self
    }
}

impl TemplateHost for Host {
    fn var(&self, name: &str) -> Option<Value> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
    fn page_var(&self, page: &str, name: &str) -> Option<Value> {
        let page = page.strip_suffix(".md").unwrap_or(page);
        self.pages
            .iter()
            .find(|(p, n, _)| p == page && n == name)
            .map(|(_, _, v)| v.clone())
    }
    fn layout_file(&self, path: &str) -> Option<String> {
        self.layouts
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone())
    }
    fn page_key(&self) -> String {
        self.key.clone()
    }
    fn headings(&self) -> Vec<Heading> {
        self.heads.clone()
    }
    fn call(&mut self, name: &str, args: &[String]) -> Option<Result<String, String>> {
        self.calls.push((name.into(), args.to_vec()));
        match name {
            "taglist" => Some(Ok("<ul></ul>".into())),
            "echo" => Some(Ok(args.join("|"))),
            "rfc822" => Some(Ok("Wed, 04 Sep 2013 00:00:00 +0000".into())),
            "broken" => Some(Err("boom".into())),
            _ => None,
        }
    }
    fn is_utils_function(&self, name: &str) -> bool {
        self.utils.iter().any(|u| u == name)
    }
}

fn s(x: &str) -> Value {
    Value::Str(x.into())
}

fn run(input: &str, host: &mut Host) -> (String, Vec<TemplateIssue>) {
    let (out, issues) = render(input, host);
    (out.into_owned(), issues)
}

fn out(input: &str, host: &mut Host) -> String {
    let (o, issues) = run(input, host);
    assert!(issues.is_empty(), "unexpected issues: {issues:?}");
    o
}

fn one_issue(input: &str, host: &mut Host) -> (String, TemplateIssue) {
    let (o, issues) = run(input, host);
    assert_eq!(issues.len(), 1, "issues: {issues:?}");
    (o, issues[0].clone())
}

// ---- plain text, fill ----

#[test]
fn text_without_blocks_is_unchanged() {
    let t = "<p>a } b { c }}</p> é";
    assert_eq!(out(t, &mut Host::new()), t);
}

#[test]
fn fill_and_bare_variable() {
    let mut h = Host::new().var("title", s("Hi")).var("a_b", s("hello"));
    assert_eq!(
        out("<{{fill title}}|{{ title }}|{{a_b}}>", &mut h),
        "<Hi|Hi|hello>"
    );
}

#[test]
fn fill_uses_julia_string_of_values() {
    let mut h = Host::new()
        .var(
            "d",
            Value::Date {
                year: 2013,
                month: 9,
                day: 4,
            },
        )
        .var("v", Value::Vector(vec![s("a"), s("b")]))
        .var("f", Value::Float(3.0))
        .var("g", Value::Float(2.5))
        .var("b", Value::Bool(true))
        .var("n", Value::Int(7));
    assert_eq!(
        out(
            "{{fill d}} {{fill v}} {{fill f}} {{fill g}} {{fill b}} {{n}}",
            &mut h
        ),
        "2013-09-04 [\"a\", \"b\"] 3.0 2.5 true 7"
    );
}

#[test]
fn fill_undefined_warns_with_offset() {
    let (o, i) = one_issue("ab{{fill nope}}cd", &mut Host::new());
    assert_eq!(o, "abcd");
    assert_eq!(
        (i.code, i.severity, i.offset, i.len),
        ("undefined-variable", Severity::Warning, 2, 13)
    );
    assert!(i.message.contains("`nope`"));
}

#[test]
fn fill_nothing_counts_as_undefined() {
    let mut h = Host::new().var("author", Value::Nothing);
    let (o, i) = one_issue("**{{fill author}}**", &mut h);
    assert_eq!(o, "****");
    assert_eq!(i.code, "undefined-variable");
}

#[test]
fn fill_from_another_page() {
    let mut h = Host::new();
    h.pages
        .push(("blog/pg1".into(), "title".into(), s("Page 1")));
    assert_eq!(
        out("{{fill title blog/pg1}}|{{fill title blog/pg1.md}}", &mut h),
        "Page 1|Page 1"
    );
    let (_, i) = one_issue("{{fill title blog/none}}", &mut h);
    assert_eq!(i.code, "undefined-variable");
    assert!(i.message.contains("blog/none"));
}

#[test]
fn fill_arity_is_checked() {
    let (o, i) = one_issue("{{fill a b c}}", &mut Host::new());
    assert_eq!(o, "");
    assert_eq!(
        (i.code, i.severity),
        ("template-arguments", Severity::Error)
    );
}

#[test]
fn builtins_are_case_insensitive_but_variables_are_not() {
    let mut h = Host::new().var("x", s("1"));
    assert_eq!(out("{{FILL x}}{{Fill x}}", &mut h), "11");
    let (_, i) = one_issue("{{X}}", &mut h);
    assert_eq!(i.code, "unknown-template-function");
}

// ---- conditionals ----

#[test]
fn if_keeps_inner_whitespace() {
    let mut h = Host::new().var("b2", Value::Bool(true));
    assert_eq!(
        out("{{if b2}} blah {{ else }} blih {{ end }}", &mut h),
        " blah "
    );
    let mut h = Host::new().var("b2", Value::Bool(false));
    assert_eq!(
        out("{{if b2}} blah {{ else }} blih {{ end }}", &mut h),
        " blih "
    );
}

#[test]
fn elseif_chain_picks_first_true_branch() {
    let t = "[{{if a}}A{{elseif b}}B{{else if c}}C{{else}}D{{end}}]";
    let h = |a, b, c| {
        Host::new()
            .var("a", Value::Bool(a))
            .var("b", Value::Bool(b))
            .var("c", Value::Bool(c))
    };
    assert_eq!(out(t, &mut h(true, true, true)), "[A]");
    assert_eq!(out(t, &mut h(false, true, true)), "[B]");
    assert_eq!(out(t, &mut h(false, false, true)), "[C]");
    assert_eq!(out(t, &mut h(false, false, false)), "[D]");
}

#[test]
fn false_if_without_else_renders_nothing() {
    let mut h = Host::new().var("a", Value::Bool(false));
    assert_eq!(out("x{{if a}}A{{end}}y", &mut h), "xy");
}

#[test]
fn non_boolean_condition_is_an_error_at_its_block() {
    let mut h = Host::new().var("x", s("yes"));
    let (o, i) = one_issue("ab{{if x}}A{{else}}B{{end}}cd", &mut h);
    assert_eq!(o, "abcd");
    assert_eq!(
        (i.code, i.severity, i.offset, i.len),
        ("condition-not-boolean", Severity::Error, 2, 8)
    );
    assert!(i.message.starts_with("condition `x` is not a boolean"));
}

#[test]
fn every_condition_is_checked_even_after_a_true_one() {
    let mut h = Host::new().var("a", Value::Bool(true));
    let (o, i) = one_issue("{{if a}}A{{elseif zz}}B{{end}}", &mut h);
    assert_eq!(o, "");
    assert_eq!((i.code, i.offset), ("condition-undefined", 9));
}

#[test]
fn nested_conditionals() {
    let mut h = Host::new()
        .var("a", Value::Bool(true))
        .var("b", Value::Bool(false))
        .var("t", s("T"));
    let t = "{{if a}}1{{if b}}2{{else}}3{{isdef t}}{{t}}{{end}}{{end}}4{{else}}5{{end}}";
    assert_eq!(out(t, &mut h), "13T4");
}

#[test]
fn isdef_and_isnotdef_aliases() {
    let mut h = Host::new().var("title", Value::Nothing);
    assert_eq!(
        out("{{isdef title}}Y{{end}}{{ifdef nope}}N{{end}}", &mut h),
        "Y"
    );
    assert_eq!(
        out(
            "{{isnotdef nope}}1{{end}}{{ifnotdef nope}}2{{end}}{{isndef nope}}3{{end}}{{ifndef title}}4{{end}}",
            &mut h
        ),
        "123"
    );
}

#[test]
fn isempty_family() {
    let mut h = Host::new()
        .var("e", s(""))
        .var("n", Value::Nothing)
        .var(
            "d0",
            Value::Date {
                year: 1,
                month: 1,
                day: 1,
            },
        )
        .var("v", Value::Vector(vec![s("x")]))
        .var("z", Value::Int(0));
    let t = "{{isempty e}}e{{end}}{{ifempty n}}n{{end}}{{isempty d0}}d{{end}}{{isempty undefined}}u{{end}}\
             {{isnotempty v}}v{{end}}{{ifnotempty z}}z{{end}}{{isnempty e}}X{{else}}!{{end}}";
    assert_eq!(out(t, &mut h), "enduvz!");
}

#[test]
fn special_opener_falls_through_to_bool_elseif() {
    let mut h = Host::new().var("b", Value::Bool(true));
    assert_eq!(
        out("{{isdef nope}}A{{elseif b}}B{{else}}C{{end}}", &mut h),
        "B"
    );
}

// ---- ispage ----

#[test]
fn ispage_exact_and_extension() {
    let t = "{{ispage index}}a{{end}}{{ispage index.html}}b{{end}}{{ispage /index}}c{{end}}";
    assert_eq!(out(t, &mut Host::new()), "abc");
    assert_eq!(out(t, &mut Host::new().key("pages/git/index")), "");
}

#[test]
fn ispage_folder_needs_a_glob() {
    let mut h = Host::new().key("pages/git/index");
    assert_eq!(
        out(
            "{{ispage pages/git/}}A{{end}}{{ispage pages/git/*}}B{{end}}{{ispage pages/*}}C{{end}}",
            &mut h
        ),
        "BC"
    );
    let mut h = Host::new().key("pagesX/a");
    assert_eq!(
        out("{{ispage pages/*}}no boundary{{end}}", &mut h),
        "no boundary"
    );
}

#[test]
fn isnotpage_tag_glob_on_tag_pages() {
    let t = "{{isnotpage /tag/*}}Last modified{{end}}";
    assert_eq!(out(t, &mut Host::new().key("/tag/git/")), "");
    assert_eq!(out(t, &mut Host::new().key("blog/a")), "Last modified");
}

#[test]
fn ispage_any_of_several_with_else() {
    let t = "{{ispage syntax/* code/index.html}}in{{else}}out{{end}}";
    assert_eq!(out(t, &mut Host::new().key("code/index")), "in");
    assert_eq!(out(t, &mut Host::new().key("syntax/markdown")), "in");
    assert_eq!(out(t, &mut Host::new().key("faq/technical")), "out");
}

// ---- for loops ----

#[test]
fn for_single_variable() {
    let mut h = Host::new().var("tags", Value::Vector(vec![s("a"), s("b")]));
    assert_eq!(
        out("{{for t in tags}}<{{t}}|{{fill t}}>{{end}}", &mut h),
        "<a|a><b|b>"
    );
}

#[test]
fn for_tuple_unpacking_matches_franklin() {
    let iter = Value::Tuple(vec![
        Value::Tuple(vec![s("a"), Value::Int(1)]),
        Value::Tuple(vec![s("b"), Value::Int(2)]),
    ]);
    let mut h = Host::new().var("iter", iter);
    assert_eq!(
        out(
            "{{for (n, v) in iter}} name:{{fill n}} value:{{fill v}} {{end}}",
            &mut h
        ),
        " name:a value:1  name:b value:2 "
    );
}

#[test]
fn for_attribute_fill_reads_other_pages() {
    let mut h = Host::new().var("posts", Value::Vector(vec![s("blog/a"), s("blog/b")]));
    h.pages.push(("blog/a".into(), "title".into(), s("A")));
    h.pages.push(("blog/b".into(), "title".into(), s("B")));
    assert_eq!(
        out("{{for p in posts}}<li>{{fill title p}}</li>{{end}}", &mut h),
        "<li>A</li><li>B</li>"
    );
}

#[test]
fn nested_loops() {
    let mut h = Host::new()
        .var("rows", Value::Vector(vec![s("1"), s("2")]))
        .var("cols", Value::Vector(vec![s("a"), s("b")]));
    assert_eq!(
        out(
            "{{for r in rows}}[{{for c in cols}}{{r}}{{c}} {{end}}]{{end}}",
            &mut h
        ),
        "[1a 1b ][2a 2b ]"
    );
}

#[test]
fn for_over_dict_pairs_and_empty() {
    let d = Value::Dict(vec![(s("k1"), Value::Int(1)), (s("k2"), Value::Int(2))]);
    let mut h = Host::new().var("d", d).var("e", Value::Vector(vec![]));
    assert_eq!(
        out("{{for (k, v) in d}}{{k}}={{v}};{{end}}", &mut h),
        "k1=1;k2=2;"
    );
    assert_eq!(out("x{{for x in e}}never{{end}}y", &mut h), "xy");
}

#[test]
fn for_loop_errors() {
    let mut h = Host::new().var("v", Value::Vector(vec![s("a")]));
    let (o, i) = one_issue("{{for (a, b) in v}}x{{end}}", &mut h);
    assert_eq!((o.as_str(), i.code), ("", "for-unpack"));
    let (_, i) = one_issue("z{{for a in nope}}x{{end}}", &mut h);
    assert_eq!((i.code, i.offset), ("for-iterable", 1));
    let (_, i) = one_issue("{{for a in v}}x", &mut h);
    assert_eq!((i.code, i.offset), ("unclosed-for", 0));
    let (o, i) = one_issue("{{for a, b in v}}x{{end}}y", &mut h);
    assert_eq!(
        (o.as_str(), i.code, i.offset),
        ("y", "invalid-template-block", 0)
    );
    let (o, i) = one_issue("{{if}}x{{end}}y", &mut h);
    assert_eq!((o.as_str(), i.code), ("y", "invalid-template-block"));
}

#[test]
fn issues_in_loop_bodies_point_at_the_loop() {
    let mut h = Host::new().var("v", Value::Vector(vec![s("a"), s("b")]));
    let (o, i) = one_issue("..{{for x in v}}{{fill nope}}{{end}}", &mut h);
    assert_eq!(o, "..");
    assert_eq!((i.code, i.offset, i.len), ("undefined-variable", 2, 14));
    assert!(i.message.contains("nope"));
}

// ---- insert ----

#[test]
fn insert_renders_layout_recursively() {
    let mut h = Host::new()
        .var("title", s("T"))
        .layout(
            "head.html",
            "<title>{{fill title}}</title>{{insert nav.html}}",
        )
        .layout("nav.html", "<nav>{{ispage index}}home{{end}}</nav>");
    assert_eq!(
        out("{{insert head.html}}!", &mut h),
        "<title>T</title><nav>home</nav>!"
    );
}

#[test]
fn insert_missing_warns() {
    let (o, i) = one_issue("a{{insert nope.html}}", &mut Host::new());
    assert_eq!(o, "a");
    assert_eq!(
        (i.code, i.severity, i.offset),
        ("insert-missing", Severity::Warning, 1)
    );
}

#[test]
fn insert_cycle_stops_with_an_error_at_the_outer_block() {
    let mut h = Host::new()
        .layout("a.html", "A{{insert b.html}}")
        .layout("b.html", "B{{insert a.html}}");
    let (o, i) = one_issue("x{{insert a.html}}", &mut h);
    assert_eq!(o, "xAB");
    assert_eq!((i.code, i.offset, i.len), ("insert-cycle", 1, 17));
    assert!(i.message.contains("_layout/b.html"));
}

#[test]
fn insert_depth_is_limited() {
    let mut h = Host::new();
    for k in 0..40 {
        h = h.layout(
            &format!("f{k}.html"),
            &format!("{k},{{{{insert f{}.html}}}}", k + 1),
        );
    }
    let (o, issues) = run("{{insert f0.html}}", &mut h);
    assert!(o.starts_with("0,1,2,"));
    assert!(o.ends_with("15,"));
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "insert-depth");
}

#[test]
fn issues_inside_inserted_files_name_file_and_line() {
    let mut h = Host::new().layout("foot.html", "ok\n{{fill nope}}");
    let (_, i) = one_issue("ab{{insert foot.html}}", &mut h);
    assert_eq!((i.offset, i.len), (2, 20));
    assert!(
        i.message.starts_with("in `_layout/foot.html` line 2:"),
        "{}",
        i.message
    );
}

// ---- toc ----

fn heading(level: u8, id: &str) -> Heading {
    Heading {
        level,
        id: id.into(),
        html: id.to_uppercase(),
        line: 1,
    }
}

#[test]
fn toc_defaults_come_from_page_variables() {
    let mut h = Host::new()
        .var("mintoclevel", Value::Int(2))
        .var("maxtoclevel", Value::Int(3));
    h.heads = vec![
        heading(1, "a"),
        heading(2, "b"),
        heading(3, "c"),
        heading(4, "d"),
    ];
    assert_eq!(
        out("{{toc}}", &mut h),
        "<div class=\"franklin-toc\"><ol><li><a href=\"#b\">B</a><ol><li><a href=\"#c\">C</a></li></ol></li></ol></div>"
    );
    assert_eq!(
        out("{{toc 1 1}}", &mut h),
        "<div class=\"franklin-toc\"><ol><li><a href=\"#a\">A</a></li></ol></div>"
    );
    assert_eq!(out("{{toc 5 6}}", &mut h), "");
}

#[test]
fn toc_without_headings_or_with_bad_levels() {
    let mut h = Host::new();
    assert_eq!(out("{{toc}}", &mut h), "");
    h.heads = vec![heading(2, "a")];
    let (o, i) = one_issue("{{toc a}}", &mut h);
    assert_eq!((o.as_str(), i.code), ("", "template-arguments"));
    let (_, i) = one_issue("{{toc x 3}}", &mut h);
    assert_eq!(i.code, "template-arguments");
}

// ---- comments, scripts, escaped tokens ----

#[test]
fn comments_and_scripts_are_not_templated() {
    let mut h = Host::new().var("x", s("X"));
    let t = "<!-- {{fill x}} {{if}} --><script>var a = {{b}};</script><script src=\"s.js\">{{</script>{{x}}";
    assert_eq!(
        out(t, &mut h),
        "<!-- {{fill x}} {{if}} --><script>var a = {{b}};</script><script src=\"s.js\">{{</script>X"
    );
}

#[test]
fn escaped_braces_are_text() {
    // Code blocks escape their braces so that code is never templated.
    let mut h = Host::new().var("x", s("X"));
    assert_eq!(
        out("<p>&#123;&#123;fill x&#125;&#125;</p>", &mut h),
        "<p>&#123;&#123;fill x&#125;&#125;</p>"
    );
}

// ---- structural errors with exact offsets ----

#[test]
fn lonely_end() {
    let (o, i) = one_issue("abc{{ end }}def", &mut Host::new());
    assert_eq!(o, "abcdef");
    assert_eq!(
        (i.code, i.severity, i.offset, i.len),
        ("lonely-end", Severity::Error, 3, 9)
    );
}

#[test]
fn else_without_if() {
    let (o, i) = one_issue("a{{else}}b", &mut Host::new());
    assert_eq!(o, "ab");
    assert_eq!((i.code, i.offset, i.len), ("else-without-if", 1, 8));
}

#[test]
fn elseif_after_else() {
    let mut h = Host::new()
        .var("a", Value::Bool(true))
        .var("b", Value::Bool(true));
    let (o, i) = one_issue("{{if a}}A{{else}}B{{elseif b}}C{{end}}z", &mut h);
    assert_eq!(o, "z");
    assert_eq!((i.code, i.offset, i.len), ("elseif-after-else", 18, 12));
}

#[test]
fn unclosed_if_reports_the_opener() {
    let mut h = Host::new().var("a", Value::Bool(false));
    let (o, i) = one_issue("xy{{if a}}rest", &mut h);
    assert_eq!(o, "xyrest");
    assert_eq!((i.code, i.offset, i.len), ("unclosed-conditional", 2, 8));
}

#[test]
fn unclosed_brace_reports_its_offset_and_keeps_the_rest() {
    let mut h = Host::new().var("x", s("X"));
    let (o, i) = one_issue("é {{fill x {{x}}", &mut h);
    assert_eq!(o, "é {{fill x X");
    assert_eq!(
        (i.code, i.severity, i.offset, i.len),
        ("unclosed-template-block", Severity::Error, 3, 2)
    );
}

#[test]
fn block_matching_nothing() {
    let (o, i) = one_issue("$x^{{2}}$", &mut Host::new());
    assert_eq!(o, "$x^$");
    assert_eq!((i.code, i.offset, i.len), ("invalid-template-block", 3, 5));
}

// ---- function resolution ----

#[test]
fn host_functions_get_lowercased_names_and_split_params() {
    let mut h = Host::new();
    assert_eq!(
        out(r#"{{echo a "b c"  d}}{{RFC822 date}}{{taglist}}"#, &mut h),
        "a|b c|dWed, 04 Sep 2013 00:00:00 +0000<ul></ul>"
    );
    assert_eq!(h.calls[1], ("rfc822".to_string(), vec!["date".to_string()]));
}

#[test]
fn host_function_failure_is_an_error() {
    let (o, i) = one_issue("{{broken x}}", &mut Host::new());
    assert_eq!(o, "");
    assert_eq!(
        (i.code, i.severity),
        ("template-function-failed", Severity::Error)
    );
    assert!(i.message.contains("boom"));
}

#[test]
fn utils_functions_are_reported_with_a_replacement() {
    let mut h = Host::new().var("blogposts", s("shadowed"));
    h.utils.push("blogposts".into());
    let (o, i) = one_issue("{{blogposts}}", &mut h);
    assert_eq!(o, "");
    assert_eq!((i.code, i.severity), ("utils-function", Severity::Error));
    assert_eq!(
        i.message,
        "`{{blogposts}}` calls `hfun_blogposts` from utils.jl, which notes cannot run"
    );
    assert!(i.help.as_deref().is_some_and(|h| h.contains("{{for")));
}

#[test]
fn unknown_function_warns() {
    let mut h = Host::new().var("n", Value::Nothing);
    let (o, i) = one_issue("a{{frobnicate x}}b", &mut h);
    assert_eq!(o, "ab");
    assert_eq!(
        (i.code, i.severity, i.offset),
        ("unknown-template-function", Severity::Warning, 1)
    );
    // A variable holding `nothing` is not filled by a bare block (Franklin's rule).
    let (_, i) = one_issue("{{n}}", &mut h);
    assert_eq!(i.code, "unknown-template-function");
}

// ---- robustness ----

#[test]
fn output_is_deterministic() {
    let mut h = Host::new()
        .var(
            "d",
            Value::Dict(vec![(s("b"), Value::Int(2)), (s("a"), Value::Int(1))]),
        )
        .var("flag", Value::Bool(true));
    let t = "{{for (k, v) in d}}{{k}}{{v}}{{end}}{{if flag}}{{fill nope}}{{end}}";
    let first = run(t, &mut h);
    for _ in 0..3 {
        assert_eq!(run(t, &mut h), first);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut h = Host::new()
        .var("a", Value::Bool(true))
        .var("v", Value::Vector(vec![s("x")]));
    let deep_if = format!("{}x{}", "{{if a}}".repeat(5000), "{{end}}".repeat(5000));
    let (_, issues) = run(&deep_if, &mut h);
    assert!(issues.iter().any(|i| i.code == "template-nesting"));
    let deep_for = format!("{}x{}", "{{for y in v}}".repeat(200), "{{end}}".repeat(200));
    let (_, issues) = run(&deep_for, &mut h);
    assert!(issues.iter().any(|i| i.code == "template-nesting"));
    let braces = "{{".repeat(20000);
    let (o, issues) = run(&braces, &mut h);
    assert_eq!(o, braces);
    assert_eq!(issues.len(), 20000);
    let nested = format!("{}{}", "{{".repeat(20000), "}}".repeat(20000));
    let _ = run(&nested, &mut h);
    let unclosed_ifs = "{{if a}}x".repeat(50000);
    let (o, issues) = run(&unclosed_ifs, &mut h);
    assert_eq!((o.len(), issues.len()), (50000, 50000));
}

#[test]
fn self_inserting_layout_terminates() {
    let mut h = Host::new().layout("x.html", "{{insert x.html}}{{insert x.html}}");
    let (o, issues) = run("{{insert x.html}}", &mut h);
    assert_eq!(o, "");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "insert-cycle");
}

proptest::proptest! {
    #[test]
    fn never_panics_and_copies_plain_text(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("{{"), proptest::strategy::Just("}}"),
                proptest::strategy::Just("{{if a}}"), proptest::strategy::Just("{{end}}"),
                proptest::strategy::Just("{{else}}"), proptest::strategy::Just("{{elseif b}}"),
                proptest::strategy::Just("{{for x in v}}"), proptest::strategy::Just("{{x}}"),
                proptest::strategy::Just("<!--"), proptest::strategy::Just("-->"),
                proptest::strategy::Just("<script>"), proptest::strategy::Just("</script>"),
                proptest::strategy::Just("&#123;&#123;"), proptest::strategy::Just("é"),
                proptest::strategy::Just("{{insert a.html}}"), proptest::strategy::Just("{{toc}}"),
                proptest::strategy::Just(" "), proptest::strategy::Just("{"),
            ],
            0..40,
        )
    ) {
        let input: String = parts.concat();
        let mut h = Host::new()
            .var("a", Value::Bool(true))
            .var("b", Value::Int(1))
            .var("v", Value::Vector(vec![s("p"), s("q")]))
            .layout("a.html", "{{insert a.html}}{{if a}}");
        h.heads = vec![heading(2, "h")];
        let (_, issues) = render(&input, &mut h);
        for i in issues {
            proptest::prop_assert!(i.offset + i.len <= input.len());
            proptest::prop_assert!(input.is_char_boundary(i.offset));
        }
    }
}
