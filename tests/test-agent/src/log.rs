//! One-line log records. Tests read them with `docker logs`, and the unit
//! tests capture them through `Logger::from_fn`.

use std::io::{self, Write};
use std::sync::Arc;

#[derive(Clone)]
pub struct Logger(Arc<dyn Fn(&str) + Send + Sync>);

impl Logger {
    /// Each line is flushed at once: stdout is a pipe under Docker, and a
    /// test waiting for a line must not wait for a buffer to fill.
    pub fn stdout() -> Logger {
        Logger::from_fn(|line| {
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        })
    }

    pub fn from_fn(f: impl Fn(&str) + Send + Sync + 'static) -> Logger {
        Logger(Arc::new(f))
    }

    pub fn line(&self, line: &str) {
        (self.0)(line)
    }
}
