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
})();
