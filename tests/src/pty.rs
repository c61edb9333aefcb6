//! Driving an interactive program through a pseudo-terminal, as a person would: wait for a
//! prompt, type an answer. Expect-style, with the whole transcript in every failure message.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Pty {
    master: File,
    child: Child,
    /// Everything the program wrote, escape sequences removed.
    transcript: String,
    /// How far `expect` has consumed the transcript.
    cursor: usize,
}

impl Pty {
    /// Spawns `command` with a new pseudo-terminal as its controlling terminal and stdio.
    pub fn spawn(mut command: Command) -> Pty {
        let pty = nix::pty::openpty(
            Some(&nix::pty::Winsize {
                ws_row: 40,
                ws_col: 120,
                ws_xpixel: 0,
                ws_ypixel: 0,
            }),
            None,
        )
        .expect("openpty");
        let slave: OwnedFd = pty.slave;
        let slave_fd = slave.as_raw_fd();
        command
            .stdin(Stdio::from(slave.try_clone().expect("dup")))
            .stdout(Stdio::from(slave.try_clone().expect("dup")))
            .stderr(Stdio::from(slave))
            .env("TERM", "xterm");
        // SAFETY: setsid and ioctl are async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(slave_fd, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("spawn under pty");
        drop(command); // closes our copies of the slave side
        let master = File::from(pty.master);
        let flags = nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_GETFL).expect("flags");
        let mut flags = nix::fcntl::OFlag::from_bits_truncate(flags);
        flags.insert(nix::fcntl::OFlag::O_NONBLOCK);
        nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_SETFL(flags)).expect("nonblock");
        Pty {
            master,
            child,
            transcript: String::new(),
            cursor: 0,
        }
    }

    /// Reads what is available now; returns false at end of output.
    fn pump(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        match self.master.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                self.transcript
                    .push_str(&strip_ansi(&String::from_utf8_lossy(&buf[..n])));
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
                true
            }
            // EIO: the program exited and closed the terminal.
            Err(_) => false,
        }
    }

    /// Waits until `needle` appears after what was already matched; returns the text up to it.
    #[track_caller]
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_within(needle, Duration::from_secs(20))
    }

    #[track_caller]
    pub fn expect_within(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(at) = self.transcript[self.cursor..].find(needle) {
                let end = self.cursor + at + needle.len();
                let seen = self.transcript[self.cursor..end].to_string();
                self.cursor = end;
                return seen;
            }
            let open = self.pump();
            if !open || Instant::now() > deadline {
                panic!(
                    "did not see {needle:?} ({}); transcript:\n{}",
                    if open { "timed out" } else { "program ended" },
                    self.transcript
                );
            }
        }
    }

    /// Types `text` (no newline).
    pub fn send(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).expect("write to pty");
    }

    /// Types `text` and Enter.
    pub fn send_line(&mut self, text: &str) {
        self.send(text);
        self.send("\r");
    }

    /// Whether the terminal echoes what is typed (the program's side of it: on Linux the master
    /// reports the slave's settings).
    pub fn echoes(&self) -> bool {
        let attrs = nix::sys::termios::tcgetattr(&self.master).expect("tcgetattr");
        attrs.local_flags.contains(nix::sys::termios::LocalFlags::ECHO)
    }

    /// Types a secret and Enter at a hidden prompt, once the program has turned echo off: a
    /// person is never faster than the prompt, but a test is, and an echoed secret would show
    /// in the transcript.
    #[track_caller]
    pub fn send_secret(&mut self, secret: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.echoes() {
            assert!(
                Instant::now() < deadline,
                "the terminal still echoes at a hidden prompt; transcript:\n{}",
                self.transcript
            );
            self.pump();
        }
        self.send_line(secret);
    }

    /// Sends an interrupt, as Ctrl-C does.
    pub fn interrupt(&mut self) {
        self.send("\x03");
    }

    /// Waits for the program to exit and returns its status and the full transcript.
    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let open = self.pump();
            if let Some(status) = self.child.try_wait().expect("wait") {
                while self.pump() {
                    if Instant::now() > deadline {
                        break;
                    }
                }
                return (status, std::mem::take(&mut self.transcript));
            }
            if !open {
                std::thread::sleep(Duration::from_millis(10));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("program did not exit; transcript:\n{}", self.transcript);
            }
        }
    }

    pub fn transcript(&self) -> &str {
        &self.transcript
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes CSI and OSC escape sequences and carriage returns, leaving the text a person reads.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == '\u{7}' {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            },
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}
