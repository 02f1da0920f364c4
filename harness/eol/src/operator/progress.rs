//! The progress bar printed after each stage: `[########------------]  5/12  8.4 s  CP levels`.
//! A new line each time rather than a redrawn one, so it reads the same in a log file as on the
//! station's screen and never fights the check lines printed in between.

const WIDTH: usize = 30;

pub fn progress_bar(done: usize, total: usize, elapsed_s: f64, stage: &str) -> String {
    let total = total.max(done).max(1);
    let filled = (done * WIDTH) / total;
    let bar: String = std::iter::repeat_n('#', filled)
        .chain(std::iter::repeat_n('-', WIDTH - filled))
        .collect();
    format!("[{bar}] {done:>2}/{total}  {elapsed_s:>5.1} s  {stage}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_in_proportion() {
        let half = progress_bar(6, 12, 8.4, "CP levels");
        assert!(
            half.starts_with(&format!("[{}{}]", "#".repeat(15), "-".repeat(15))),
            "{half}"
        );
        assert!(half.contains(" 6/12"), "{half}");
        assert!(half.contains("8.4 s"), "{half}");
        let full = progress_bar(12, 12, 14.0, "done");
        assert!(full.starts_with(&format!("[{}]", "#".repeat(30))));
        // An unknown total never divides by zero nor overflows the bar.
        assert!(progress_bar(3, 0, 1.0, "x").starts_with(&format!("[{}]", "#".repeat(30))));
    }
}
