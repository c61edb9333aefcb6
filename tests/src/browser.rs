//! A real browser for the web console's tests: Debian's `chromium`, driven over WebDriver by
//! Debian's `chromedriver` (both installed by `.ci/run`). One chromedriver and one browser
//! session serve the whole run: the first web test starts them, [`teardown`] ends them after the
//! last test. Tests take the session in turn ([`session`]), so they never see each other's
//! cookies or pages.
//!
//! The WebDriver client lives on a runtime of its own (each test has its own runtime, which ends
//! with the test); tests talk to it from theirs. After every page a test reads the browser's log
//! ([`Session::assert_clean_log`]): a Content-Security-Policy violation or a console error fails it.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::ci;
use crate::daemon::{free_port, wait_timeout};

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a test waits for something to appear on a page.
pub const WAIT: Duration = Duration::from_secs(20);

struct Driver {
    child: Mutex<Option<Child>>,
    /// Runs the WebDriver client's connection; lives as long as the run.
    runtime: tokio::runtime::Runtime,
    client: Client,
    log: PathBuf,
    dir: tempfile::TempDir,
}

static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();
/// One test at a time drives the browser.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|p| p.is_file())
}

impl Driver {
    fn launch() -> Result<Driver, String> {
        if !PathBuf::from(CHROMIUM).is_file() {
            return Err(format!("Chromium ({CHROMIUM}; apt-get install chromium)"));
        }
        let chromedriver =
            find_program("chromedriver").ok_or_else(|| "chromedriver (apt-get install chromium-driver)".to_string())?;
        let dir = tempfile::Builder::new()
            .prefix("mosaic-browser-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let log = dir.path().join("chromedriver.log");
        let port = free_port();
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut command = Command::new(chromedriver);
        command
            .arg(format!("--port={port}"))
            // chromedriver's profile directory and Chromium's own temporary files go into this
            // run's directory, which teardown removes.
            .env("TMPDIR", dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out);
        // SAFETY: prctl is async-signal-safe. chromedriver (and the browser it started, which
        // it takes down with it) dies with the harness even if the harness is killed.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut child = spawn_kept(command).map_err(|e| format!("start chromedriver: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("chromedriver exited ({status}): {text}"));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("chromedriver did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("webdriver")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let capabilities = match json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--no-first-run", "--disable-extensions",
                    "--password-store=basic", "--lang=en-US",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }) {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        };
        let url = format!("http://127.0.0.1:{port}/");
        let handle = runtime.handle().clone();
        // The session is created on the browser's own runtime, from a thread that is in no
        // runtime (the calling test's runtime cannot block on another one).
        let connected = std::thread::spawn(move || {
            handle.block_on(async move {
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&url)
                    .await
            })
        })
        .join()
        .map_err(|_| "the WebDriver connection thread panicked".to_string())?;
        let client = match connected {
            Ok(client) => client,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("cannot start a Chromium session: {e}\n{text}"));
            }
        };
        Ok(Driver {
            child: Mutex::new(Some(child)),
            runtime,
            client,
            log,
            dir,
        })
    }
}

/// Spawns a process from a thread that lives as long as the run: the parent-death signal fires
/// when the spawning *thread* ends, and the first web test's thread ends long before the run.
fn spawn_kept(mut command: Command) -> std::io::Result<Child> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new().name("chromedriver".into()).spawn(move || {
        let _ = tx.send(command.spawn());
        loop {
            std::thread::park();
        }
    })?;
    rx.recv()
        .map_err(|_| std::io::Error::other("the spawning thread died"))?
}

/// Ends the browser session and chromedriver, if a test started them.
pub fn teardown() {
    let Some(Ok(driver)) = DRIVER.get() else {
        return;
    };
    let client = driver.client.clone();
    let handle = driver.runtime.handle().clone();
    let _ = std::thread::spawn(move || {
        handle.block_on(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        })
    })
    .join();
    if let Some(mut child) = driver.child.lock().unwrap().take() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        if wait_timeout(&mut child, Duration::from_secs(5)).is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    // The driver lives in a static, which is never dropped: remove its directory by hand.
    let _ = std::fs::remove_dir_all(driver.dir.path());
}

/// The browser, for one test at a time: waits for the test before it to finish. Ignored (failed
/// under CI) when Chromium or chromedriver is missing.
pub async fn session(base_url: &str) -> Session {
    let turn = TURN.lock().await;
    let driver = match DRIVER.get_or_init(Driver::launch) {
        Ok(driver) => driver,
        Err(reason) => ci::missing(reason),
    };
    let session = Session {
        client: driver.client.clone(),
        base: base_url.trim_end_matches('/').to_string(),
        _turn: turn,
    };
    // Start clean: the previous test's page, size and cookies (cookies do not tell ports apart,
    // and every test's daemon is on 127.0.0.1).
    session.client.set_window_size(1280, 900).await.expect("window size");
    session.goto("/login").await;
    session.client.delete_all_cookies().await.expect("delete cookies");
    session.set_dark(false).await;
    session.take_log().await;
    session
}

/// The chromedriver log, for a failing test's message.
pub fn driver_log() -> String {
    match DRIVER.get() {
        Some(Ok(driver)) => std::fs::read_to_string(&driver.log).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Reads (and empties) the browser's console log: chromedriver's log endpoint.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (warp::http::Method, Option<String>) {
        (warp::http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// A Chrome DevTools command through chromedriver (to emulate a dark colour scheme).
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (warp::http::Method, Option<String>) {
        (warp::http::Method::POST, Some(self.0.to_string()))
    }
}

/// One entry of the browser's log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub level: String,
    pub source: String,
    pub message: String,
}

/// The browser, held by one test.
pub struct Session {
    pub client: Client,
    /// The daemon's base URL (`http://127.0.0.1:PORT`).
    pub base: String,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Navigates to a path of the daemon and waits for the page to load.
    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("navigate to {url}: {e:?}"));
    }

    /// The path (and query) the browser is at.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            assert!(Instant::now() < deadline, "the browser is at {now}, not {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element `css` selects, once it is there.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    /// Whether `css` selects anything now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find elements")
            .is_empty()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find elements")
            .len()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// Types into a field (after clearing it).
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear field");
        if !value.is_empty() {
            field.send_keys(value).await.expect("type into field");
        }
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }

    /// Clicks, then waits for whatever navigation the click started.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The page's whole DOM as HTML, including what scripts added.
    pub async fn dom(&self) -> String {
        self.client
            .execute("return document.documentElement.outerHTML", vec![])
            .await
            .expect("read the DOM")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The values of every form field on the page (a typed value is not in the HTML).
    pub async fn field_values(&self) -> String {
        self.client
            .execute(
                "return Array.from(document.querySelectorAll('input, textarea, select')).map(e => e.value).join('\\n')",
                vec![],
            )
            .await
            .expect("read field values")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs a script in the page and returns its result.
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("run script")
    }

    /// Waits until `css`'s text contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} on {} never showed {needle:?} (it shows {text:?})",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn take_log(&self) -> Vec<LogEntry> {
        let value = self.client.issue_cmd(BrowserLog).await.expect("read the browser log");
        value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_string(),
                        source: e["source"].as_str().unwrap_or_default().to_string(),
                        message: e["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails on any Content-Security-Policy violation and any error in the browser's log since
    /// the last look, except the listed expected ones (e.g. the 403 of an access-denied page,
    /// which Chromium logs as a failed resource).
    pub async fn assert_clean_log(&self, expected: &[&str]) {
        let entries = self.take_log().await;
        let bad: Vec<&LogEntry> = entries
            .iter()
            .filter(|e| {
                let csp =
                    e.message.contains("Content Security Policy") || e.message.contains("Content-Security-Policy");
                let error = e.level == "SEVERE" || e.level == "ERROR";
                csp || (error && !expected.iter().any(|x| e.message.contains(x)))
            })
            .collect();
        assert!(
            bad.is_empty(),
            "the browser logged errors on {}: {bad:#?}",
            self.path().await
        );
    }

    /// Emulates (or stops emulating) a dark colour scheme.
    pub async fn set_dark(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.client
            .issue_cmd(Cdp(json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": "prefers-color-scheme", "value": value }] },
            })))
            .await
            .expect("emulate a colour scheme");
    }

    pub async fn set_width(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("window size");
    }

    /// Takes a screenshot of the page as it is and saves it as `name.png`: into the repository's
    /// `docs/screenshots/` with `MOSAIC_SCREENSHOTS=1` (never under CI), else into a temporary
    /// directory, so the committed pictures change only when someone asks.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("write the screenshot");
        path
    }

    /// The page's document width against the window's: nothing may need sideways scrolling.
    pub async fn assert_fits_width(&self) {
        let v = self
            .run("return [document.documentElement.scrollWidth, window.innerWidth]")
            .await;
        let (scroll, inner) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
        assert!(
            scroll <= inner,
            "{} is {scroll} px wide in a {inner} px window",
            self.path().await
        );
    }
}

fn screenshot_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if std::env::var("MOSAIC_SCREENSHOTS").as_deref() == Ok("1") && !ci::under_ci() {
            crate::bins::workspace_root().join("docs/screenshots")
        } else {
            let dir = std::env::temp_dir().join(format!("mosaic-screenshots-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            dir
        }
    })
    .clone()
}

/// Removes the temporary screenshots of this run (the committed ones stay).
pub fn remove_temporary_screenshots() {
    let dir = screenshot_dir();
    if dir.starts_with(std::env::temp_dir()) {
        let _ = std::fs::remove_dir_all(dir);
    }
}
