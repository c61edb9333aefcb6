use clap::Parser;

fn main() {
    std::process::exit(mosaicctl::run(mosaicctl::cli::Cli::parse()));
}
