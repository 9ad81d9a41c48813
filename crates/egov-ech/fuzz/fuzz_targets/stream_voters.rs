//! Any bytes through the record stream of a voter register and the stream validator of any
//! delivery: never a panic, and the stream always ends.
#![no_main]

use egov_ech::read::Limits;
use egov_ech::stream::{Records, VoterList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = Records::<_, VoterList>::open(data, Limits::default()) {
        let mut n = 0usize;
        for _ in records {
            n += 1;
            assert!(n <= data.len() + 1, "the stream must end");
        }
    }
    let _ = egov_ech::stream::validate_any(data, Limits::default());
});
