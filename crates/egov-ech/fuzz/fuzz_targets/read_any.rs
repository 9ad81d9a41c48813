//! Any bytes through the whole-document reader and, when they read, back through the writer:
//! never a panic, and what was written reads again.
#![no_main]

use egov_ech::read::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = egov_ech::document::read_any(data, Limits::default()) {
        let xml = egov_ech::document::write_any(doc.clone()).expect("what was read writes");
        let again =
            egov_ech::document::read_any(xml.as_bytes(), Limits::default()).expect("what was written reads");
        assert_eq!(again.content, doc.content);
    }
});
