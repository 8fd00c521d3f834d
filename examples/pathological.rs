//! Times the dialect on pathological 1 MB pages (run with `--release`):
//! `cargo run --release --example pathological`.

use std::time::Instant;

use notes::dialect::resources::NoResources;
use notes::dialect::standalone::render_page;

#[path = "../tests/common/pathological.rs"]
mod pathological;

const CONFIG: &str = "\\newcommand{\\note}[1]{@@note !#1 @@}\n\\newcommand{\\R}{\\mathbb R}\n\\newenvironment{box}{@@box}{@@}\n";

fn main() {
    let mut worst = 0.0f64;
    for (name, page) in pathological::pathological_pages() {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let (html, _) = render_page(&page, CONFIG, "p.md", &NoResources);
            times.push(start.elapsed().as_secs_f64());
            std::hint::black_box(html);
        }
        times.sort_by(f64::total_cmp);
        let median = times[1];
        worst = worst.max(median);
        println!(
            "{name:>14}: {:>8.1} ms  ({} KB)",
            median * 1000.0,
            page.len() / 1024
        );
    }
    println!("worst median: {:.1} ms", worst * 1000.0);
}
