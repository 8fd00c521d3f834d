#!/usr/bin/env python3
"""Generate a deterministic notes site for the build benchmark.

Usage: gen_site.py N OUTDIR [--seed S]

Writes OUTDIR/config.md and N pages laid out as part-K/chapter-J/page-I.md
(100 pages per chapter, 10 chapters per part). Each page is about 4 KB and uses
only dialect constructs that every Franklin-compatible builder must accept:
@def, # and ## headings, emphasis, inline code, lists, ```julia and ```yaml
fences, links to other pages and to headings, a user command (\\note), an
@@warning div, and inline and display math with a user command (\\R).

The output is a pure function of (N, seed). Every generated link target (page
and #anchor) exists: headings are drawn first for all pages, then links pick a
page below N and one of its headings.
"""

import os
import random
import re
import sys

PAGES_PER_CHAPTER = 100
CHAPTERS_PER_PART = 10
TARGET_BYTES = 4000  # pages end a little above this

CONFIG = """@def author = "Bench Author"
@def website_title = "Benchmark notes"
@def mintoclevel = 2

\\newcommand{\\note}[1]{@@note !#1 @@}
\\newcommand{\\R}{\\mathbb{R}}
\\newcommand{\\E}{\\mathbb{E}}
\\newcommand{\\abs}[1]{\\left|#1\\right|}
"""

# Words kept free of characters the dialect treats specially (no _ * $ \\ { } < > & : #).
WORDS = (
    "array vector matrix loop index value function method type struct field module "
    "package compiler runtime memory cache buffer stream file folder path string "
    "number integer float complex tuple dictionary set range iterator generator "
    "closure macro expression symbol parser token grammar tree graph node edge "
    "weight sample estimate error bound limit series sum product integral gradient "
    "solver step tolerance precision benchmark test check result output input "
    "student lecture exercise example proof lemma theorem definition remark figure "
    "table chapter section note course notes reader writer author version release"
).split()

VERBS = (
    "computes returns builds allocates stores reads writes checks sorts filters "
    "maps reduces broadcasts updates shows prints compares measures explains"
).split()

TOPICS = [
    "Loops over arrays", "Broadcasting rules", "Multiple dispatch", "Type stability",
    "Closures and scope", "Iterators and generators", "Strings and unicode",
    "Working with files", "Package environments", "Testing your code",
    "Linear systems", "Eigenvalues in practice", "Random numbers", "Sparse matrices",
    "Plotting results", "Performance tips", "Error handling", "Parallel loops",
    "Numerical integration", "Root finding", "Least squares", "Interpolation",
    "Automatic differentiation", "Optimisation basics", "Data frames",
    "Reading CSV files", "Version control", "Continuous integration",
    "Documentation", "Benchmarking code", "Memory layout", "Structs and fields",
    "Abstract types", "Parametric types", "Macros by example", "Metaprogramming",
    "Dictionaries and sets", "Sorting and searching", "Recursion", "Dynamic programming",
]

TAGS = [
    "julia", "arrays", "types", "performance", "numerics", "linear-algebra",
    "testing", "tooling", "data", "git", "ci", "plots", "calculus", "probability",
]

INLINE_MATH = [
    "$x \\in \\R$",
    "$f : \\R^n \\to \\R$",
    "$\\abs{x - y} \\le \\varepsilon$",
    "$\\E[X] = \\mu$",
    "$A \\in \\R^{m \\times n}$",
    "$\\alpha + \\beta = \\gamma$",
    "$\\sum_{i=1}^n x_i$",
    "$O(n \\log n)$",
]

DISPLAY_MATH = [
    "$$ \\int_0^1 f(x) \\, dx \\approx \\sum_{k=1}^{n} w_k f(x_k) $$",
    "$$ \\abs{x_{k+1} - x^\\star} \\le C \\abs{x_k - x^\\star}^2 $$",
    "$$ \\E\\left[ \\frac{1}{n} \\sum_{i=1}^n X_i \\right] = \\mu, \\quad X_i \\in \\R $$",
    "$$ \\min_{x \\in \\R^n} \\frac{1}{2} \\left\\| A x - b \\right\\|^2 $$",
]


def refstring(title):
    """The heading id Franklin gives a plain-text title."""
    s = re.sub(r"[^\w\-\s]", "", title)
    s = re.sub(r"\s+", "_", s.strip().lower())
    return s.replace("__", "_")


def page_rel(i):
    """Source path of page i (0-based), e.g. part-1/chapter-1/page-1.md."""
    part = i // (PAGES_PER_CHAPTER * CHAPTERS_PER_PART) + 1
    chapter = (i // PAGES_PER_CHAPTER) % CHAPTERS_PER_PART + 1
    page = i % PAGES_PER_CHAPTER + 1
    return f"part-{part}/chapter-{chapter}/page-{page}.md"


def page_url(i):
    return "/" + page_rel(i)[: -len(".md")] + "/"


def page_headings(seed, i):
    """Title and the five section headings of page i; ids are unique on the page."""
    rng = random.Random(f"{seed}:headings:{i}")
    topics = rng.sample(TOPICS, 6)
    title = f"{topics[0]} in lesson {i + 1}"
    return title, topics[1:]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def sentence(rng):
    w = words(rng, rng.randint(6, 12))
    verb = rng.choice(VERBS)
    return f"The {w.split()[0]} {verb} {w}."


class Page:
    """Builds one page's markdown; links come from `link` so they always resolve."""

    def __init__(self, seed, i, n, headings):
        self.rng = random.Random(f"{seed}:body:{i}")
        self.i = i
        self.n = n
        self.headings = headings
        self.out = []

    def link(self):
        rng = self.rng
        j = rng.randrange(self.n)
        if j == self.i:
            j = (j + 1) % self.n
        if j == self.i:  # single-page site: link to one of our own headings
            return self.anchor_link()
        title, sections = self.headings(j)
        if rng.random() < 0.5:
            return f"[lesson {j + 1}]({page_url(j)})"
        topic = rng.choice(sections)
        return f"[{topic.lower()}]({page_url(j)}#{refstring(topic)})"

    def anchor_link(self):
        _, sections = self.headings(self.i)
        topic = self.rng.choice(sections)
        return f"[{topic.lower()} above]({'#' + refstring(topic)})"

    def paragraph(self, extras=()):
        rng = self.rng
        parts = [sentence(rng) for _ in range(rng.randint(2, 4))]
        for extra in extras:
            parts.insert(rng.randint(0, len(parts)), extra)
        # One emphasised word and one inline code span per paragraph.
        parts.append(f"Note the *{rng.choice(WORDS)}* and the call `{rng.choice(WORDS)}(xs)`.")
        return " ".join(parts)

    def bullet_list(self):
        rng = self.rng
        items = []
        for k in range(rng.randint(3, 5)):
            kind = k % 3
            if kind == 0:
                items.append(f"- *{rng.choice(WORDS)}*: {words(rng, 6)}")
            elif kind == 1:
                items.append(f"- use `{rng.choice(WORDS)}!` to {rng.choice(VERBS)} {words(rng, 4)}")
            else:
                items.append(f"- see {self.link()} for {words(rng, 3)}")
        return "\n".join(items)

    def ordered_list(self):
        rng = self.rng
        return "\n".join(
            f"{k}. {words(rng, rng.randint(4, 8))}, then {rng.choice(VERBS)} the result"
            for k in range(1, rng.randint(3, 5) + 1)
        )

    def julia_block(self):
        rng = self.rng
        name = f"{rng.choice(WORDS)}{self.i}"
        a, b = rng.randint(2, 9), rng.randint(1, 9)
        return (
            "```julia\n"
            f"function {name}(xs)\n"
            f"    total = zero(eltype(xs))\n"
            f"    for x in xs\n"
            f"        total += {a}x + {b}  # accumulate\n"
            f"    end\n"
            f"    return total\n"
            f"end\n"
            f"\n"
            f"{name}(1:{rng.randint(10, 1000)})\n"
            "```"
        )

    def yaml_block(self):
        rng = self.rng
        return (
            "```yaml\n"
            f"name: lesson-{self.i + 1}\n"
            f"on: [push, pull_request]\n"
            f"jobs:\n"
            f"  test:\n"
            f"    runs-on: ubuntu-latest\n"
            f"    steps:\n"
            f"      - uses: actions/checkout@v4\n"
            f"      - run: julia --project -e 'using Pkg; Pkg.test()'\n"
            f"      - run: echo {rng.choice(WORDS)}\n"
            "```"
        )

    def build(self):
        rng = self.rng
        title, sections = self.headings(self.i)
        tags = rng.sample(TAGS, 3)
        out = self.out
        out.append(f'@def title = "{title}"')
        out.append("@def tags = [" + ", ".join(f'"{t}"' for t in tags) + "]")
        out.append("")
        out.append(f"# {title}")
        out.append("")
        out.append(self.paragraph([f"We work with {rng.choice(INLINE_MATH)} throughout.", f"This follows {self.link()}."]))
        out.append("")
        out.append(f"## {sections[0]}")
        out.append("")
        out.append(self.paragraph())
        out.append("")
        out.append(self.bullet_list())
        out.append("")
        out.append(self.julia_block())
        out.append("")
        out.append(f"## {sections[1]}")
        out.append("")
        out.append(self.paragraph([f"Take {rng.choice(INLINE_MATH)} and {rng.choice(INLINE_MATH)}."]))
        out.append("")
        out.append(rng.choice(DISPLAY_MATH))
        out.append("")
        out.append(f"\\note{{The *{rng.choice(WORDS)}* matters here, see {self.anchor_link()}.}}")
        out.append("")
        out.append(f"## {sections[2]}")
        out.append("")
        out.append(self.ordered_list())
        out.append("")
        out.append(self.yaml_block())
        out.append("")
        out.append("@@warning")
        out.append(f"**Careful.** {sentence(rng)} Read {self.link()} first.")
        out.append("@@")
        out.append("")
        out.append(f"## {sections[3]}")
        out.append("")
        out.append(self.paragraph([f"Compare with {self.link()} and {self.anchor_link()}."]))
        out.append("")
        out.append(f"## {sections[4]}")
        out.append("")
        size = sum(len(line) + 1 for line in out)
        while size < TARGET_BYTES:
            para = self.paragraph([f"See {self.link()}."])
            out.append(para)
            out.append("")
            size += len(para) + 2
        return "\n".join(out)


def main(argv):
    args = list(argv[1:])
    seed = 2024
    if "--seed" in args:
        k = args.index("--seed")
        try:
            seed = int(args[k + 1])
        except (IndexError, ValueError):
            sys.exit("gen_site.py: --seed needs an integer")
        del args[k : k + 2]
    if len(args) != 2:
        sys.exit("usage: gen_site.py N OUTDIR [--seed S]")
    try:
        n = int(args[0])
    except ValueError:
        sys.exit(f"gen_site.py: N must be an integer, got {args[0]!r}")
    if n < 1:
        sys.exit("gen_site.py: N must be at least 1")
    outdir = args[1]
    if os.path.isdir(outdir) and os.listdir(outdir):
        sys.exit(f"gen_site.py: {outdir} exists and is not empty")
    os.makedirs(outdir, exist_ok=True)

    cache = {}

    def headings(j):
        if j not in cache:
            cache[j] = page_headings(seed, j)
        return cache[j]

    with open(os.path.join(outdir, "config.md"), "w", encoding="utf-8") as f:
        f.write(CONFIG)
    made = set()
    for i in range(n):
        rel = page_rel(i)
        folder = os.path.join(outdir, os.path.dirname(rel))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        text = Page(seed, i, n, headings).build()
        with open(os.path.join(outdir, rel), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv)
