//! Prerequisites. Outside CI a test whose prerequisite is missing is reported as ignored, with
//! the reason; under CI (`CI=true`) it fails, so a broken CI machine cannot pass by skipping.

/// A panic payload that marks the running test as ignored rather than failed.
#[derive(Debug)]
pub struct Skip(pub String);

pub fn under_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1") | Ok("yes"))
}

/// Stops the current test because `what` is missing: ignored locally, failed under CI.
pub fn missing(what: &str) -> ! {
    if under_ci() {
        panic!("prerequisite missing under CI: {what}");
    }
    std::panic::panic_any(Skip(format!(
        "prerequisite missing: {what} (run .ci/run to install it)"
    )))
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Tests that act as other users (peer-credential checks) need root.
pub fn require_root() {
    if !is_root() {
        missing("root privileges (to connect to the admin socket as another uid)");
    }
}
