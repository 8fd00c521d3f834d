#!/usr/bin/env node
// Runs the theme script's sidebar renderer (window.notesNav) on generated trees, with just
// enough of a document around it, and checks the list it writes: which folders open, where
// folded folders link, which link is current, and the site root taken from the script's src.
// Usage: node nav-render.js THEME_JS
// Prints "ok CASE" per passed case and exits 0; "FAIL CASE: why" and exits 1; 2 for bad usage.
"use strict";

const fs = require("node:fs");
const vm = require("node:vm");

const themeFile = process.argv[2];
if (!themeFile) {
  console.error("usage: node nav-render.js THEME_JS");
  process.exit(2);
}
const themeSource = fs.readFileSync(themeFile, "utf8");

// Renders `tree` as the sidebar of the page at `page`, the script loaded from `src`.
function render(tree, page, src) {
  const inserted = [];
  const script = {
    getAttribute: (name) => (name === "src" ? src : null),
  };
  const sidebar = {
    getAttribute: (name) => (name === "data-page" ? page : null),
    insertBefore: (node, before) => {
      if (before !== script) throw new Error("not inserted before the script");
      inserted.push(node);
    },
  };
  script.parentNode = sidebar;
  const document = {
    documentElement: { classList: { add() {} }, setAttribute() {}, getAttribute: () => null },
    readyState: "complete",
    currentScript: script,
    createElement: () => {
      const holder = {};
      Object.defineProperty(holder, "innerHTML", {
        set(html) {
          holder.firstChild = { html };
        },
      });
      return holder;
    },
    querySelector: () => null,
    getElementById: () => null,
    addEventListener() {},
  };
  const window = { localStorage: { getItem: () => null, setItem() {} } };
  const context = vm.createContext({ window, document });
  vm.runInContext(themeSource, context);
  window.notesNav(tree);
  if (inserted.length !== 1) throw new Error(`${inserted.length} lists inserted`);
  return inserted[0].html;
}

function count(html, text) {
  return html.split(text).length - 1;
}

let failed = false;
function check(name, body) {
  try {
    body();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    failed = true;
  }
}
function expect(cond, why) {
  if (!cond) throw new Error(why);
}

// 30 folders without pages of their own, 10 pages each: over the limit where folders fold.
const large = [];
for (let d = 0; d < 30; d++) {
  const pages = [];
  for (let p = 0; p < 10; p++) pages.push([`P${p}`, `/d${d}/p${p}/`]);
  large.push([`D${d}`, "", pages]);
}

check("a large site opens only the current page's folder", () => {
  const html = render(large, "/d7/p3/", "/js/notes-nav.js");
  expect(count(html, "<details") === 1, `${count(html, "<details")} folders listed`);
  expect(html.includes('<li class="open"><details open><summary><span class="nav-group">D7</span>'),
    "D7 is not the open folder");
  expect(html.includes('<a href="/d7/p3/" aria-current="page">P3</a>'), "P3 is not current");
  expect(count(html, "aria-current") === 1, "more than one current link");
  // A folded folder without a page of its own leads to its first page.
  expect(html.includes('<a href="/d8/p0/" class="nav-more">D8</a>'), "D8 does not fold");
  expect(count(html, 'class="nav-more"') === 29, "not every other folder is folded");
});

check("a small site lists every folder, opening the current one", () => {
  const small = [
    ["Home & <b>", "/"],
    ["A \"q\" 'p'", "/a/", [["X", "/a/x/"]]],
    ["B", "", [["C", "", [["D", "/b/c/d/"]]], ["E", "/b/e/"]]],
  ];
  const html = render(small, "/b/c/d/", "/prepath/js/notes-nav.js");
  expect(count(html, "<details") === 3, `${count(html, "<details")} folders listed`);
  expect(count(html, "<details open>") === 2, "B and C are not both open");
  expect(html.includes('<a href="/prepath/b/c/d/" aria-current="page">D</a>'), "D is not current");
  expect(html.includes('<a href="/prepath/">Home &amp; &lt;b&gt;</a>'), "titles are not escaped");
  expect(html.includes("A &quot;q&quot; &#39;p&#39;"), "quotes are not escaped");
  expect(!html.includes("nav-more"), "a small site folds a folder");
});

check("a page outside the tree marks nothing", () => {
  const html = render(large, "/tag/x/", "/js/notes-nav.js");
  expect(!html.includes("aria-current"), "a link is current");
  expect(!html.includes("<details open>"), "a folder is open");
});

process.exit(failed ? 1 : 0);
