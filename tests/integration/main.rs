//! The one integration-test binary. libtest-mimic gives us a `main`, so shared fixtures (the
//! PostgreSQL server, later the test-agent image) are set up once and torn down after the last
//! test, failed or not.

mod backup;
mod bench;
mod cli;
mod containers;
mod docs;
mod faults;
mod fence;
mod foundation;
mod http;
mod lists;
mod oidc;
mod onboard_cli;
mod onboarding;
mod openclaw;
mod replicas;
mod store;
mod systemd;
mod web;

fn main() {
    mosaic_tests::trial::install_panic_hook();
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = Vec::new();
    trials.extend(foundation::trials());
    trials.extend(store::trials());
    trials.extend(http::trials());
    trials.extend(onboarding::trials());
    trials.extend(onboard_cli::trials());
    trials.extend(oidc::trials());
    trials.extend(cli::trials());
    trials.extend(docs::trials());
    trials.extend(containers::trials());
    trials.extend(fence::trials());
    trials.extend(openclaw::trials());
    trials.extend(web::trials());
    trials.extend(systemd::trials());
    trials.extend(backup::trials());
    trials.extend(faults::trials());
    trials.extend(lists::trials());
    trials.extend(replicas::trials());
    trials.extend(bench::trials());

    if !args.list {
        mosaic_tests::postgres::start();
        mosaic_tests::oidc::start();
    }
    let conclusion = libtest_mimic::run(&args, trials);
    mosaic_tests::teardown();
    conclusion.exit();
}
