//! What time it is, for everything that expires or goes idle: sessions and API tokens, invites,
//! the setup token, OIDC login flows, and the reaper's idle times. The services hold a [`Clock`]
//! instead of asking the system, so a test can move time forward instead of sleeping.
//!
//! Times are milliseconds since the Unix epoch, the time type of every table. Elapsed-time
//! measurements (latencies, backoffs, cache ages) keep using `Instant`: they never expire
//! anything a user holds.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The time source. Cheap to clone: clones share their offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time; `None` for the system clock, which cannot be moved.
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Clock {
        Clock { offset: None }
    }

    /// A clock that runs with the system's but can be moved forward with [`Clock::advance`]:
    /// for tests that build services in-process.
    pub fn adjustable() -> Clock {
        Clock {
            offset: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    /// Moves an adjustable clock (and its clones) forward.
    ///
    /// # Panics
    /// On the system clock: nothing moves the wall clock of a running daemon.
    pub fn advance(&self, by: Duration) {
        let offset = self.offset.as_ref().expect("the system clock cannot be moved");
        offset.fetch_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX), Ordering::SeqCst);
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let offset = self.offset.as_ref().map_or(0, |o| o.load(Ordering::SeqCst));
        system_ms()
            .saturating_add(offset)
            .saturating_add(test_hook::offset_ms())
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// With the `test-clock` feature (built only for the integration tests, which run the real binary),
/// the process's clocks add the milliseconds written in the file `MOSAIC_TEST_CLOCK_OFFSET_FILE`
/// names, read at every call, so a test moves a running daemon's time forward by rewriting it.
/// Without the feature the hook is zero and compiles away.
#[cfg(feature = "test-clock")]
mod test_hook {
    pub fn offset_ms() -> i64 {
        std::env::var_os("MOSAIC_TEST_CLOCK_OFFSET_FILE")
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }
}

#[cfg(not(feature = "test-clock"))]
mod test_hook {
    pub const fn offset_ms() -> i64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_with_its_clones() {
        let clock = Clock::adjustable();
        let clone = clock.clone();
        let before = clock.now_ms();
        clone.advance(Duration::from_secs(3600));
        let after = clock.now_ms();
        assert!(after - before >= 3_600_000, "{before} → {after}");
        assert!(after - before < 3_660_000, "{before} → {after}");
        let system = Clock::system().now_ms();
        assert!((system - before).abs() < 60_000, "{system} vs {before}");
    }

    #[test]
    #[should_panic(expected = "cannot be moved")]
    fn the_system_clock_cannot_be_moved() {
        Clock::system().advance(Duration::from_secs(1));
    }
}
