//! Criterion benchmarks on a synthetic eCH-0045 v6 voter register with 100,000 voters (about
//! 220 MB): a raw quick-xml event scan (the near limit of any reader on quick-xml), the typed
//! streaming parse, streaming validation, whole-document reading, and writing record by record.
//! `cargo bench -p egov-ech --features ech0045`; `EGOV_BENCH_VOTERS` changes the size.
//! Peer comparisons (xmllint, Python xmlschema) are in `benches/compare-ech.sh`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/voters.rs"]
mod voters;

use std::hint::black_box;
use std::io::Read;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use egov_ech::read::Limits;
use egov_ech::stream::{RecordWriter, Records, VoterList};
use quick_xml::events::Event;

fn register() -> Vec<u8> {
    let n = std::env::var("EGOV_BENCH_VOTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut doc = Vec::new();
    voters::VoterRegister::new(n, voters::Prefixes::Conventional)
        .read_to_end(&mut doc)
        .unwrap();
    doc
}

/// Every event of the document through quick-xml's namespace reader, nothing else.
fn raw_scan(doc: &[u8]) -> u64 {
    let mut r = quick_xml::NsReader::from_reader(doc);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        match r.read_resolved_event_into(&mut buf).unwrap() {
            (_, Event::Eof) => break,
            (_, e) => {
                black_box(&e);
                n += 1;
            }
        }
        buf.clear();
    }
    n
}

fn benches(c: &mut Criterion) {
    let doc = register();
    let mut g = c.benchmark_group("voter_register");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.bench_function("raw_quick_xml_scan", |b| b.iter(|| raw_scan(black_box(&doc))));
    g.bench_function("typed_streaming_parse", |b| {
        b.iter(|| {
            let records = Records::<_, VoterList>::open(black_box(&doc[..]), Limits::default()).unwrap();
            let mut n = 0usize;
            for r in records {
                black_box(r.unwrap());
                n += 1;
            }
            n
        });
    });
    g.bench_function("streaming_validation", |b| {
        b.iter(|| {
            let report = Records::<_, VoterList>::open(black_box(&doc[..]), Limits::default())
                .unwrap()
                .validate();
            assert!(report.is_valid());
        });
    });
    g.bench_function("whole_document_read", |b| {
        b.iter(|| egov_ech::document::validate(black_box(&doc[..]), Limits::default()).unwrap());
    });
    let mut records = Records::<_, VoterList>::open(&doc[..], Limits::default()).unwrap();
    let header = records.header().unwrap().clone();
    let all: Vec<_> = records.by_ref().map(|r| r.unwrap()).collect();
    g.bench_function("write_record_by_record", |b| {
        b.iter(|| {
            let mut w = RecordWriter::<_, VoterList>::new(std::io::sink(), header.clone(), None);
            for v in &all {
                w.write(v).unwrap();
            }
            w.finish().unwrap();
        });
    });
    g.finish();
}

criterion_group!(voter_register, benches);
criterion_main!(voter_register);
