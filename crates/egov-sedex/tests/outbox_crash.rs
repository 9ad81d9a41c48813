//! The outbox writer under a crash at every file operation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use egov_sedex::{Envelope, EnvelopeParams, Error, FileOps, MessageId, Outbox, RealFs, TEMP_PREFIX};

/// Fails operation number `fail_at` and, like a killed process, every operation after it.
/// A failing write leaves half of the bytes behind (a torn write).
#[derive(Debug)]
struct CrashFs {
    fail_at: usize,
    count: AtomicUsize,
    crashed: AtomicBool,
}

impl CrashFs {
    fn new(fail_at: usize) -> Self {
        Self {
            fail_at,
            count: AtomicUsize::new(0),
            crashed: AtomicBool::new(false),
        }
    }

    /// Whether this operation is to crash.
    fn crash_now(&self) -> bool {
        if self.crashed.load(Ordering::SeqCst) {
            return true;
        }
        if self.count.fetch_add(1, Ordering::SeqCst) == self.fail_at {
            self.crashed.store(true, Ordering::SeqCst);
            return true;
        }
        false
    }
}

fn crash() -> io::Error {
    io::Error::other("simulated crash")
}

impl FileOps for CrashFs {
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let was = self.crashed.load(Ordering::SeqCst);
        if self.crash_now() {
            if !was {
                std::fs::write(path, &bytes[..bytes.len() / 2])?;
            }
            return Err(crash());
        }
        RealFs.write_synced(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.crash_now() {
            return Err(crash());
        }
        RealFs.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        if self.crash_now() {
            return Err(crash());
        }
        RealFs.sync_dir(dir)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        if self.crash_now() {
            return Err(crash());
        }
        RealFs.remove(path)
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !std::fs::metadata(dir.join(n)).unwrap().is_dir())
        .collect();
    v.sort();
    v
}

fn params(id: &str) -> EnvelopeParams {
    let mut p = EnvelopeParams::new("T1-261-1".parse().unwrap(), vec!["T2-ZH-1".parse().unwrap()], 99);
    p.message_id = Some(id.parse().unwrap());
    p
}

/// What the sedex client could pick up: every `envl_X.xml` must read and have its complete payload.
fn assert_no_partial_message(dir: &Path, payload: &[u8]) -> bool {
    let mut complete = false;
    for n in names(dir) {
        if let Some(key) = n.strip_prefix("envl_").and_then(|r| r.strip_suffix(".xml")) {
            let env = Envelope::from_xml(&std::fs::read(dir.join(&n)).unwrap()).unwrap();
            assert_eq!(env.message_id().as_str(), key);
            assert_eq!(
                std::fs::read(dir.join(format!("data_{key}.xml"))).unwrap(),
                payload
            );
            complete = true;
        }
    }
    complete
}

#[test]
fn a_crash_at_any_step_leaves_no_partial_message() {
    let payload = b"<delivery>some payload long enough to be torn</delivery>".as_slice();
    let mut steps_seen = 0;
    for fail_at in 0.. {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("outbox");
        let fs = Arc::new(CrashFs::new(fail_at));
        let outbox = Outbox::new(&dir).unwrap().with_file_ops(fs.clone());
        let result = outbox.send_bytes(&[("m.xml", payload)], params("msg-1"));
        if !fs.crashed.load(Ordering::SeqCst) {
            // No crash left: every step has been tried.
            let sent = result.unwrap();
            assert_eq!(names(&dir), vec!["data_msg-1.xml", "envl_msg-1.xml"]);
            assert_eq!(outbox.sent().unwrap(), vec![sent]);
            break;
        }
        steps_seen += 1;
        assert!(
            matches!(result, Err(Error::Io { .. })),
            "step {fail_at}: {result:?}"
        );
        let complete = assert_no_partial_message(&dir, payload);
        // Restart: recovery removes temporary files and orphan payloads.
        let outbox = Outbox::new(&dir).unwrap();
        outbox.recover().unwrap();
        let left = names(&dir);
        assert!(
            left.iter().all(|n| !n.starts_with(TEMP_PREFIX)),
            "step {fail_at}: {left:?}"
        );
        if complete {
            assert_eq!(left, vec!["data_msg-1.xml", "envl_msg-1.xml"], "step {fail_at}");
            // The envelope is out: the id is used, sending it again is refused.
            let again = outbox.send_bytes(&[("m.xml", payload)], params("msg-1"));
            assert!(
                matches!(again, Err(Error::DuplicateMessageId(_))),
                "step {fail_at}"
            );
        } else {
            assert!(left.is_empty(), "step {fail_at}: {left:?}");
            outbox.send_bytes(&[("m.xml", payload)], params("msg-1")).unwrap();
            assert!(assert_no_partial_message(&dir, payload));
        }
    }
    // payload write, rename, envelope write, sync, rename, sync, journal (remove, write, rename, sync)
    assert_eq!(steps_seen, 10);
}

#[test]
fn an_error_without_crash_cleans_up() {
    /// Fails only the envelope write; cleanup works.
    #[derive(Debug)]
    struct FailEnvelope;
    impl FileOps for FailEnvelope {
        fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            if path.to_string_lossy().contains("envl_") {
                return Err(io::Error::other("disk full"));
            }
            RealFs.write_synced(path, bytes)
        }
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            RealFs.rename(from, to)
        }
        fn sync_dir(&self, dir: &Path) -> io::Result<()> {
            RealFs.sync_dir(dir)
        }
        fn remove(&self, path: &Path) -> io::Result<()> {
            RealFs.remove(path)
        }
    }
    let root = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(root.path().join("o"))
        .unwrap()
        .with_file_ops(Arc::new(FailEnvelope));
    let err = outbox.send_bytes(&[("m.xml", b"x")], params("m2")).unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert!(names(outbox.dir()).is_empty());
}

#[test]
fn ids_are_unique_per_sender_and_generated_when_absent() {
    let root = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(root.path().join("outbox")).unwrap();
    outbox.send_bytes(&[("a.xml", b"1")], params("dup")).unwrap();
    // Still refused after the sedex client moved the files away: the journal remembers.
    for n in names(outbox.dir()) {
        std::fs::remove_file(outbox.dir().join(n)).unwrap();
    }
    assert!(matches!(
        outbox.send_bytes(&[("a.xml", b"1")], params("dup")),
        Err(Error::DuplicateMessageId(_))
    ));
    let mut p = params("x");
    p.message_id = None;
    let sent = outbox.send_bytes(&[("a.pdf", b"%PDF")], p).unwrap();
    assert!(sent.message_id.as_str().parse::<MessageId>().is_ok());
    assert_eq!(sent.payload_file, format!("data_{}.pdf", sent.message_id));
}

#[test]
fn several_files_become_one_zip_and_file_paths_work() {
    let root = tempfile::tempdir().unwrap();
    let a = root.path().join("a.xml");
    let b = root.path().join("b.txt");
    std::fs::write(&a, "<a/>").unwrap();
    std::fs::write(&b, "bee").unwrap();
    let outbox = Outbox::new(root.path().join("outbox")).unwrap();
    let sent = outbox.send(&[a, b], params("zipped")).unwrap();
    assert_eq!(sent.payload_file, "data_zipped.zip");
    let bytes = std::fs::read(outbox.dir().join("data_zipped.zip")).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert!(matches!(
        outbox.send(&[root.path().join("missing.xml")], params("m3")),
        Err(Error::Io { op: "read", .. })
    ));
}
