// notes theme: remembers the reader's light/dark choice and opens the sidebar on small screens.
// Loaded in <head> without `defer` so the stored colour scheme is applied before the first paint.
(function () {
  "use strict";
  var KEY = "notes-theme";
  var root = document.documentElement;
  root.classList.add("js");

  var stored = null;
  try {
    stored = window.localStorage.getItem(KEY);
  } catch (e) {
    // Storage can be disabled (private mode, file:// pages); the system preference still applies.
  }
  if (stored === "light" || stored === "dark") {
    root.setAttribute("data-theme", stored);
  }
  var systemDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function scheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen;
    return systemDark && systemDark.matches ? "dark" : "light";
  }

  function describe(button) {
    var dark = scheme() === "dark";
    var text = dark ? "Switch to light mode" : "Switch to dark mode";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.setAttribute("aria-label", text);
    button.title = text;
  }

  function setup() {
    var themeButton = document.querySelector(".theme-toggle");
    if (themeButton) {
      describe(themeButton);
      themeButton.addEventListener("click", function () {
        var next = scheme() === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        try {
          window.localStorage.setItem(KEY, next);
        } catch (e) {
          // Not remembered, but still switched for this page.
        }
        describe(themeButton);
      });
      if (systemDark && systemDark.addEventListener) {
        systemDark.addEventListener("change", function () {
          describe(themeButton);
        });
      }
    }

    var navButton = document.querySelector(".nav-toggle");
    var backdrop = document.querySelector(".nav-backdrop");
    var sidebar = document.getElementById("sidebar");
    function showNav(open) {
      root.classList.toggle("nav-open", open);
      if (navButton) navButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) backdrop.hidden = !open;
    }
    if (navButton) {
      navButton.addEventListener("click", function () {
        showNav(!root.classList.contains("nav-open"));
      });
    }
    if (backdrop) backdrop.addEventListener("click", function () { showNav(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("nav-open")) {
        showNav(false);
        if (navButton) navButton.focus();
      }
    });
    if (sidebar) {
      sidebar.addEventListener("click", function (event) {
        if (event.target.closest && event.target.closest("a")) showNav(false);
      });
      // Bring the current page into view in a long sidebar without scrolling the page itself.
      var current = sidebar.querySelector("[aria-current=page]");
      if (current && sidebar.scrollHeight > sidebar.clientHeight) {
        sidebar.scrollTop = Math.max(0, current.offsetTop - sidebar.clientHeight / 3);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }

  // The sidebar. Every page would otherwise carry the whole site's page list, so a site of
  // n pages would weigh n² and adding one page would change every file; instead the list is
  // one script, js/notes-nav.js, shared and cached, which calls this while the page is
  // parsed (before the first paint). Each entry is [title, url, children?]; the url is the
  // page's address from the site root, or "" for a folder without a page of its own.
  var FULL_NAV_LIMIT = 200;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function count(items) {
    var n = 0;
    for (var i = 0; i < items.length; i++) n += 1 + count(items[i][2] || []);
    return n;
  }

  function holds(item, page) {
    if (item[1] === page) return true;
    var children = item[2] || [];
    for (var i = 0; i < children.length; i++) {
      if (holds(children[i], page)) return true;
    }
    return false;
  }

  // Where a folder without a page of its own links when it is folded: its first page.
  function firstLink(item) {
    if (item[1]) return item[1];
    var children = item[2] || [];
    for (var i = 0; i < children.length; i++) {
      var url = firstLink(children[i]);
      if (url) return url;
    }
    return "";
  }

  // On sites of more than FULL_NAV_LIMIT entries only the folders leading to the current
  // page are listed; the others link to their first page.
  function navList(items, state) {
    var out = '<ul class="nav-list">';
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var children = item[2] || [];
      var open = holds(item, state.page);
      var listed = (state.full || open) && children.length > 0;
      var url = state.full || open ? item[1] : firstLink(item);
      var current = "";
      if (item[1] === state.page && !state.marked) {
        current = ' aria-current="page"';
        state.marked = true;
      }
      out += listed && open ? '\n<li class="open">' : "\n<li>";
      if (listed) {
        out += open ? "<details open><summary>" : "<details><summary>";
        out += url
          ? '<a href="' + escapeHtml(state.base + url) + '"' + current + ">" + escapeHtml(item[0]) + "</a>"
          : '<span class="nav-group">' + escapeHtml(item[0]) + "</span>";
        out += "</summary>" + navList(children, state) + "</details>";
      } else {
        var more = children.length > 0 ? ' class="nav-more"' : "";
        out += '<a href="' + escapeHtml(state.base + url) + '"' + current + more + ">" +
          escapeHtml(item[0]) + "</a>";
      }
      out += "</li>";
    }
    return out + "\n</ul>";
  }

  window.notesNav = function (items) {
    var script = document.currentScript;
    var sidebar = script && script.parentNode;
    if (!sidebar) return;
    // The script's own address gives the site root, prepath included.
    var src = script.getAttribute("src") || "";
    var base = src.replace(/\/?js\/notes-nav\.js(\?.*)?$/, "");
    var state = {
      page: sidebar.getAttribute("data-page") || "",
      base: base,
      full: count(items) <= FULL_NAV_LIMIT,
      marked: false
    };
    var holder = document.createElement("div");
    holder.innerHTML = navList(items, state);
    sidebar.insertBefore(holder.firstChild, script);
  };
})();
