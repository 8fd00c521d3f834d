#!/usr/bin/env node
// Drives headless Chromium against a running `notes serve` to check live reload end to end
// (and, on the way, that the shared sidebar script fills the page's sidebar).
// Usage: node live-reload.js URL SITE_DIR PAGE_SOURCE
//   URL          the served page (say http://127.0.0.1:PORT/lectures/week1/)
//   SITE_DIR     the site folder the server watches
//   PAGE_SOURCE  the page's source, relative to SITE_DIR (say lectures/week1.md); the site
//                must also have templates/theme.css, whose edits should swap stylesheets
// The Chromium binary comes from $NOTES_CHROMIUM. Prints "ok STEP" per passed step on
// stdout and exits 0; on a failure prints "FAIL STEP: why" and exits 1; 2 for bad usage.
// Every wait is bounded by STEP_TIMEOUT_MS; the script never navigates after the first load,
// so each new document it sees came from the page's own live-reload script.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const STEP_TIMEOUT_MS = 20000;

// Runs in each new document before any page script: keeps the page's EventSource objects
// reachable so the script can wait until the live channel is open before it saves (an event
// sent earlier is lost), and numbers the documents of the tab, so a step can tell how many
// new ones a save brought without racing the browser's load events.
function watchEventSources() {
  const Native = window.EventSource;
  const sources = [];
  const doc = Number(sessionStorage.getItem("notesE2EDocs") || "0") + 1;
  sessionStorage.setItem("notesE2EDocs", String(doc));
  window.__notesE2E = { sources, doc };
  window.EventSource = function (url, init) {
    const es = new Native(url, init);
    sources.push(es);
    return es;
  };
  window.EventSource.prototype = Native.prototype;
}

class StepError extends Error {}

async function main(argv) {
  if (argv.length !== 3) {
    console.error("usage: node live-reload.js URL SITE_DIR PAGE_SOURCE");
    return 2;
  }
  const [url, siteDir, pageSource] = argv;
  const executablePath = process.env.NOTES_CHROMIUM;
  if (!executablePath) {
    console.error("NOTES_CHROMIUM must name the Chromium binary");
    return 2;
  }
  const sourceFile = path.join(siteDir, pageSource);
  const cssFile = path.join(siteDir, "templates", "theme.css");
  const original = fs.readFileSync(sourceFile, "utf8");
  const originalCss = fs.readFileSync(cssFile, "utf8");

  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // CI runs as root, where Chromium refuses its sandbox.
    args: ["--no-sandbox"],
    timeout: STEP_TIMEOUT_MS,
  });
  let step = "open the page";
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.addInitScript(watchEventSources);

    const check = (ok, why) => {
      if (!ok) throw new StepError(why);
    };
    const bodyHas = (text) =>
      page.waitForFunction((t) => document.body && document.body.innerText.includes(t), text);
    const navigationType = () =>
      page.evaluate(() => performance.getEntriesByType("navigation")[0].type);
    // Waits until the live channel of the current document is open, tags the document so a
    // later check can tell whether it was replaced, and gives its number.
    const settle = async () => {
      await page.waitForFunction(
        () => window.__notesE2E && window.__notesE2E.sources.some((s) => s.readyState === 1),
      );
      return page.evaluate(() => {
        window.__notesE2ETag = true;
        return window.__notesE2E.doc;
      });
    };
    // Waits for a document after number `before` to be loaded, and checks it is the next one:
    // one save, one reload.
    const reloadedOnce = async (before) => {
      await page.waitForFunction(
        (n) => window.__notesE2E && window.__notesE2E.doc > n && document.readyState === "complete",
        before,
      );
      const doc = await page.evaluate(() => window.__notesE2E.doc);
      check(doc === before + 1, `${doc - before} new documents for one save`);
      check((await navigationType()) === "reload", "the new document did not come from a reload");
    };
    const sameDocument = () => page.evaluate(() => window.__notesE2ETag === true);
    const overlay = () => page.locator("#notes-error-overlay");
    const timed = async (name, body) => {
      step = name;
      const start = Date.now();
      await body();
      console.log(`ok ${name} (${Date.now() - start} ms)`);
    };

    await timed("open the page", async () => {
      const resp = await page.goto(url, { waitUntil: "load" });
      check(resp && resp.status() === 200, `status ${resp && resp.status()}`);
      await settle();
    });

    await timed("sidebar filled by the shared script", async () => {
      const nav = await page.evaluate(() => {
        const current = document.querySelector("#sidebar a[aria-current=page]");
        const folder = current && current.closest("details");
        return {
          href: current && current.getAttribute("href"),
          open: Boolean(folder && folder.open),
          links: document.querySelectorAll("#sidebar a").length,
        };
      });
      check(nav.href === new URL(url).pathname, `the current page's link is ${nav.href}`);
      check(nav.open, "the current page's folder is closed");
      check(nav.links >= 2, `the sidebar has ${nav.links} links`);
    });

    await timed("stylesheet swapped without a reload", async () => {
      const before = await settle();
      fs.writeFileSync(cssFile, `${originalCss}\nbody { outline: 3px solid rgb(1, 2, 3); }\n`);
      await page.waitForFunction(
        () => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)",
      );
      check(await sameDocument(), "the page was reloaded for a CSS-only change");
    });

    const edited = `${original}\nFresh E2EMARKER paragraph.\n`;
    await timed("page reloaded with the new text", async () => {
      const before = await settle();
      fs.writeFileSync(sourceFile, edited);
      await bodyHas("Fresh E2EMARKER");
      await reloadedOnce(before);
      check(!(await sameDocument()), "the text changed without a new document");
    });

    const broken = `${edited}\nA typo: \\oopstypo here.\n`;
    const lines = broken.split("\n");
    const lineIndex = lines.findIndex((l) => l.includes("\\oopstypo"));
    const where = `${pageSource}:${lineIndex + 1}:${lines[lineIndex].indexOf("\\oopstypo") + 1}`;
    await timed("overlay shown after a bad save", async () => {
      const before = await settle();
      fs.writeFileSync(sourceFile, broken);
      await overlay().waitFor({ state: "visible" });
      await reloadedOnce(before);
      const text = await overlay().innerText();
      check(text.includes("unknown command `\\oopstypo`"), `overlay text: ${text}`);
      check(text.includes(where), `overlay does not name ${where}: ${text}`);
      // The last good build stays underneath.
      check(
        (await page.locator("body").innerText()).includes("Fresh E2EMARKER"),
        "the last good page is not under the overlay",
      );
      console.log(`overlay names ${where}`);
    });

    // Undoing the typo gives back exactly the page the browser already had underneath.
    await timed("overlay removed after undoing the bad save", async () => {
      const before = await settle();
      fs.writeFileSync(sourceFile, edited);
      await overlay().waitFor({ state: "detached" });
      await reloadedOnce(before);
      check(
        (await page.locator("body").innerText()).includes("Fresh E2EMARKER"),
        "the page lost its text",
      );
    });

    await timed("overlay removed after a fix with new text", async () => {
      await settle();
      fs.writeFileSync(sourceFile, broken);
      await overlay().waitFor({ state: "visible" });
      await settle();
      fs.writeFileSync(sourceFile, `${edited}\nFixed E2EMARKER2.\n`);
      await bodyHas("Fixed E2EMARKER2");
      check((await overlay().count()) === 0, "the overlay is still there");
    });

    step = "no script errors in the page";
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
    return 0;
  } catch (err) {
    const why = err instanceof StepError ? err.message : String(err && err.stack ? err.stack : err);
    console.log(`FAIL ${step}: ${why}`);
    return 1;
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.log(`FAIL start: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
