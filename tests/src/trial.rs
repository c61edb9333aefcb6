//! Turning async test functions into libtest-mimic trials.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use libtest_mimic::{Completion, Failed, Trial};

use crate::ci::Skip;

/// A test: an async body that passes by returning and fails by panicking (assert!, expect, …).
/// A panic with [`Skip`] marks it ignored.
pub fn trial<F, Fut>(name: &str, body: F) -> Trial
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    Trial::ignorable_test(name, move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("test runtime");
            runtime.block_on(body());
            // Tasks still running belong to this test; do not let them outlive it.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        }));
        match outcome {
            Ok(()) => Ok(Completion::Completed),
            Err(payload) => {
                if let Some(Skip(reason)) = payload.downcast_ref::<Skip>() {
                    return Ok(Completion::ignored_with(reason));
                }
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "test panicked".into());
                Err(Failed::from(message))
            }
        }
    })
}

/// Keeps skip markers out of the panic output; real failures print as usual.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<Skip>().is_none() {
            default(info);
        }
    }));
}
