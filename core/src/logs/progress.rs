//! A progress bar on stderr for long parses (bytes done, MB/s, ETA), redrawn at most 5 times a
//! second.

use super::options::ProgressFn;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Bar {
    started: Instant,
    last_draw: Option<Instant>,
    finished: bool,
}

/// A [`ProgressFn`] that draws on stderr.
pub fn progress_bar() -> ProgressFn {
    let bar = Mutex::new(Bar { started: Instant::now(), last_draw: None, finished: false });
    Arc::new(move |done, total| {
        let Ok(mut bar) = bar.lock() else { return };
        let now = Instant::now();
        let complete = total > 0 && done >= total;
        if bar.finished || (!complete && bar.last_draw.is_some_and(|t| now - t < Duration::from_millis(200)))
        {
            return;
        }
        bar.last_draw = Some(now);
        bar.finished = complete;
        let line = render(done, total, now - bar.started);
        let mut err = std::io::stderr().lock();
        // A progress bar that cannot be drawn is not worth failing a parse for.
        let _ = write!(err, "\r{line}{}", if complete { "\n" } else { "" });
        let _ = err.flush();
    })
}

/// `  52.4 / 194.0 MB  27%  512.3 MB/s  ETA 0:00:02`
fn render(done: u64, total: u64, elapsed: Duration) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    let seconds = elapsed.as_secs_f64().max(1e-9);
    let rate = mb(done) / seconds;
    if total == 0 {
        return format!("{:8.1} MB  {rate:7.1} MB/s", mb(done));
    }
    let percent = done.min(total) * 100 / total;
    let eta = if rate > 0.0 { (mb(total.saturating_sub(done)) / rate) as u64 } else { 0 };
    format!(
        "{:8.1} / {:.1} MB {percent:3}%  {rate:7.1} MB/s  ETA {}:{:02}:{:02}",
        mb(done),
        mb(total),
        eta / 3600,
        eta / 60 % 60,
        eta % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_bytes_rate_and_eta() {
        let line = render(50_000_000, 200_000_000, Duration::from_secs(1));
        assert!(line.contains("50.0 / 200.0 MB"), "{line}");
        assert!(line.contains(" 25%"), "{line}");
        assert!(line.contains("50.0 MB/s"), "{line}");
        assert!(line.contains("ETA 0:00:03"), "{line}");
        assert!(render(5_000_000, 0, Duration::from_secs(1)).contains("5.0 MB/s"));
        // Drawing never fails, whatever it is given.
        let bar = progress_bar();
        bar(0, 0);
        bar(10, 10);
        bar(20, 10);
    }
}
