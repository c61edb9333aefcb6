//! The systemd unit (`deploy/mosaicd.service`) checked by systemd's own tools, and the daemon's
//! side of `Type=notify` against a notify socket of the harness, as systemd would hold it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_tests::bins::{self, workspace_root};
use mosaic_tests::http::{Api, Auth};
use mosaic_tests::{Daemon, DaemonOptions, ci, trial};

pub fn trials() -> Vec<Trial> {
    vec![
        trial("systemd::unit_passes_systemd_analyze_verify", || async {
            unit_passes_verify()
        }),
        trial("systemd::notify_ready_watchdog_stopping", notify_protocol),
    ]
}

const UNIT: &str = "deploy/mosaicd.service";

fn systemd_analyze() -> Command {
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        ci::missing("systemd-analyze (Debian's systemd package)");
    }
    if Command::new("man").arg("--version").output().is_err() {
        ci::missing("man (Debian's man-db package), which systemd-analyze verify runs for Documentation=");
    }
    Command::new("systemd-analyze")
}

/// A file system root with what the unit names: the mosaicd binary this checkout built at the
/// unit's `ExecStart` path, the unit, systemd's own targets and slices (the default dependencies),
/// and the man pages `Documentation=` names. `systemd-analyze verify --root` resolves everything
/// in it, so nothing is installed on the host.
fn unit_root(dir: &Path) {
    let unit_dir = dir.join("etc/systemd/system");
    let system_units = dir.join("usr/lib/systemd/system");
    for d in [&unit_dir, &system_units, &dir.join("usr/local/bin")] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::copy(workspace_root().join(UNIT), unit_dir.join("mosaicd.service")).unwrap();
    let exec = dir.join("usr/local/bin/mosaicd");
    if std::fs::hard_link(bins::mosaicd(), &exec).is_err() {
        std::fs::copy(bins::mosaicd(), &exec).unwrap();
    }
    let host_units = Path::new("/usr/lib/systemd/system");
    let mut copied = 0;
    for entry in
        std::fs::read_dir(host_units).unwrap_or_else(|_| ci::missing("systemd's units in /usr/lib/systemd/system"))
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if (name.ends_with(".target") || name.ends_with(".slice")) && path.is_file() {
            std::fs::copy(&path, system_units.join(&name)).unwrap();
            copied += 1;
        }
    }
    assert!(copied > 0, "no systemd targets found in {}", host_units.display());
    for (page, section) in [("mosaicd", "8"), ("mosaicctl", "1")] {
        let man = dir.join(format!("usr/share/man/man{section}"));
        std::fs::create_dir_all(&man).unwrap();
        std::fs::copy(
            workspace_root().join(format!("man/{page}.{section}")),
            man.join(format!("{page}.{section}")),
        )
        .unwrap();
    }
}

fn unit_passes_verify() {
    let mut verify = systemd_analyze();
    let root = tempfile::tempdir().unwrap();
    unit_root(root.path());
    // `verify` exits 0 on unknown keys and unparsable values (it only warns): anything it says
    // is a finding.
    let out = verify
        .arg("verify")
        .arg(format!("--root={}", root.path().display()))
        .arg("/etc/systemd/system/mosaicd.service")
        .env("MANPATH", root.path().join("usr/share/man"))
        .env("SYSTEMD_LOG_COLOR", "0")
        .output()
        .expect("run systemd-analyze");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );

    // The sandbox, as systemd itself scores it (0 is fully locked down, 10 fully exposed).
    let out = systemd_analyze()
        .args(["security", "--offline=true", "--threshold=25"])
        .arg(format!("--root={}", root.path().display()))
        .arg("/etc/systemd/system/mosaicd.service")
        .output()
        .expect("run systemd-analyze security");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exposure above 2.5: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let unit = std::fs::read_to_string(workspace_root().join(UNIT)).unwrap();
    let set: Vec<&str> = unit
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .collect();
    for line in [
        "Type=notify",
        "User=mosaic",
        "SupplementaryGroups=docker",
        "RuntimeDirectory=mosaic",
        "StateDirectory=mosaic",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "WatchdogSec=30",
    ] {
        assert!(set.contains(&line), "{UNIT} lacks {line}");
    }
    // The daemon's paths are the directories systemd creates for it.
    assert!(
        set.iter()
            .any(|l| l.contains("MOSAIC_DATA_DIR=/var/lib/mosaic") && l.contains("MOSAIC_SOCKET=/run/mosaic/"))
    );
}

async fn notify_protocol() {
    // The harness itself waits for READY=1 on its notify socket; at that moment both listeners
    // must already answer, with no retry.
    let mut daemon = Daemon::start_with(DaemonOptions::default().env("WATCHDOG_USEC", "300000"));
    let notices = daemon.notices().to_vec();
    assert!(notices.iter().any(|n| n == "READY=1"), "{notices:?}");
    let status = notices
        .iter()
        .find_map(|n| n.strip_prefix("STATUS="))
        .expect("a STATUS line with READY");
    assert!(status.contains(&daemon.http.to_string()), "{status}");
    let health = Api::new(&daemon).get("/healthz", Auth::None).await;
    assert_eq!(health.status.as_u16(), 200);
    daemon.ctl(&["status"]).ok();

    // WATCHDOG_USEC of 300 ms: pings at half of it.
    assert!(
        daemon.wait_notice("WATCHDOG=1", Duration::from_secs(3)),
        "no watchdog ping: {:?}",
        daemon.notices()
    );
    assert!(daemon.log().contains("systemd watchdog enabled"));

    let exit = daemon.stop();
    assert!(exit.success(), "{exit:?}");
    assert!(
        daemon.wait_notice("STOPPING=1", Duration::from_secs(1)),
        "no STOPPING=1: {:?}",
        daemon.notices()
    );

    // Without WATCHDOG_USEC there are no pings.
    daemon.restart_with(DaemonOptions::default()).expect("restart");
    assert!(!daemon.wait_notice("WATCHDOG=1", Duration::from_millis(800)));
}
