//! Writes a synthetic eCH-0045 v6 voter register (valid against eCH-0045-6-0.xsd) for trying
//! `egov ech validate` on a large file and for the peer comparison in `benches/compare-ech.sh`.
//!
//! `cargo run --release -p egov-ech --features ech0045 --example voter_register -- 1000000 voters.xml`
//!
//! With `--scan FILE` it instead runs the raw quick-xml event scan over a file (the near limit of
//! any reader on quick-xml) and prints the number of events.

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/support/voters.rs"]
mod voters;

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, file] if flag == "--scan" => match scan(file) {
            Ok(n) => {
                println!("{n} events");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                ExitCode::FAILURE
            }
        },
        [n, file] => {
            let Ok(n) = n.parse::<u64>() else {
                eprintln!("not a number of voters: {n}");
                return ExitCode::from(2);
            };
            let result = File::create(file).and_then(|f| {
                let mut reg = voters::VoterRegister::new(n, voters::Prefixes::Conventional);
                std::io::copy(&mut reg, &mut BufWriter::new(f))
            });
            match result {
                Ok(bytes) => {
                    println!("{file}: {n} voters, {bytes} bytes");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{file}: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: voter_register N FILE | voter_register --scan FILE");
            ExitCode::from(2)
        }
    }
}

fn scan(file: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut r = quick_xml::NsReader::from_reader(BufReader::with_capacity(1 << 16, File::open(file)?));
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        let (_, e) = r.read_resolved_event_into(&mut buf)?;
        if matches!(e, quick_xml::events::Event::Eof) {
            break;
        }
        n += 1;
        buf.clear();
    }
    Ok(n)
}
