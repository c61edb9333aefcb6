//! SIGTERM/SIGINT handling without libc bindings.
//!
//! In a `FROM scratch` image this binary is PID 1, and the kernel drops
//! signals that PID 1 has no handler for, so without a handler `docker stop`
//! would wait out its full timeout and then SIGKILL. Nothing needs cleaning
//! up on exit (files are written by rename, log lines are flushed as they are
//! written), so the handler exits straight away using only
//! async-signal-safe calls.

use std::os::raw::{c_int, c_void};

const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;

unsafe extern "C" {
    fn signal(signum: c_int, handler: usize) -> usize;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn _exit(status: c_int) -> !;
}

extern "C" fn on_terminate(_signum: c_int) {
    const MSG: &[u8] = b"test-agent: received termination signal, exiting\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe; MSG is static.
    unsafe {
        write(1, MSG.as_ptr().cast(), MSG.len());
        _exit(0);
    }
}

pub fn install_exit_handlers() {
    let handler = on_terminate as extern "C" fn(c_int) as usize;
    // SAFETY: the handler has the signature signal(2) expects and only makes
    // async-signal-safe calls.
    unsafe {
        signal(SIGTERM, handler);
        signal(SIGINT, handler);
    }
}
