//! The benchmark program: `cargo bench -p mosaic-tests --bench mosaic [-- SCENARIO]`.
//!
//! Every scenario measures a path through the real, release-built daemon and, in the same run,
//! a reference path that does the same work without Mosaic in the way, and prints the ratio.
//! Timings are for comparison on one machine, not assertions.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::Duration;

use mosaic_tests::Daemon;
use mosaic_tests::bench::{Row, measure, print_table};

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    if wanted("admin-socket") {
        rows.extend(runtime.block_on(admin_socket()));
    }
    print_table(&rows);
    mosaic_tests::teardown();
}

/// `status` over the admin socket (handshake done once, then tarpc + JSON + the daemon's count
/// queries) against a bare length-delimited echo of a frame of the same size on a Unix socket.
async fn admin_socket() -> Vec<Row> {
    let daemon = Daemon::start();
    let client = mosaicctl::client::connect(&daemon.socket, Duration::from_secs(30))
        .await
        .expect("connect");
    let status = measure(200, 2000, || async {
        client
            .rpc()
            .status(client.context())
            .await
            .expect("rpc")
            .expect("status");
    })
    .await;

    let frame_len = serde_json::to_vec(&client.rpc().status(client.context()).await.unwrap().unwrap())
        .unwrap()
        .len();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 4 + frame_len];
        while conn.read_exact(&mut buf).is_ok() {
            if conn.write_all(&buf).is_err() {
                break;
            }
        }
    });
    let mut conn = UnixStream::connect(&path).unwrap();
    let mut frame = (frame_len as u32).to_be_bytes().to_vec();
    frame.extend(std::iter::repeat_n(b'x', frame_len));
    let mut reply = vec![0u8; frame.len()];
    let echo = measure(200, 2000, || {
        conn.write_all(&frame).unwrap();
        conn.read_exact(&mut reply).unwrap();
        std::future::ready(())
    })
    .await;

    vec![Row {
        scenario: "admin socket: `status` RPC".into(),
        subject: status,
        reference_name: format!("raw Unix-socket echo of a {frame_len}-byte frame"),
        reference: echo,
    }]
}
