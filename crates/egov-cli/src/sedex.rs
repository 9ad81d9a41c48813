//! `egov sedex`: write messages to a sedex outbox, read receipts and inboxes, run the simulator.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use egov_core::SedexId;
use egov_sedex::{EnvelopeParams, Inbox, MessageClass, MessageId, Outbox, Simulator, read_receipts};
use serde_json::json;

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum SedexCommand {
    /// Write a message (payload first, envelope last, atomically) into a sedex outbox and print
    /// its message id. Several payload files are bundled into one ZIP.
    #[command(
        after_help = "Example: egov sedex send report.xml --outbox /sedex/interface/outbox \
                      --sender T1-261-1 --recipient T2-ZH-1 --message-type 99"
    )]
    Send {
        /// Payload files.
        #[arg(value_name = "PAYLOAD", required = true, num_args = 1..)]
        payloads: Vec<PathBuf>,
        /// The sedex client's outbox folder.
        #[arg(long)]
        outbox: PathBuf,
        /// The sender's sedex id.
        #[arg(long)]
        sender: SedexId,
        /// A recipient's sedex id (repeat for several).
        #[arg(long = "recipient", required = true)]
        recipients: Vec<SedexId>,
        /// The message type (0–2699999).
        #[arg(long)]
        message_type: u32,
        /// The message class: 0 message, 1 response, 2 receipt, 3 error.
        #[arg(long, default_value_t = 0)]
        message_class: i32,
        /// The message answered (required for classes 1–3).
        #[arg(long)]
        reference: Option<MessageId>,
        /// The message id (`[A-Za-z0-9-]{1,36}`); a random UUID when absent.
        #[arg(long)]
        message_id: Option<MessageId>,
        /// sedex test environment: puts the `T` prefix on sender and recipient ids lacking it.
        #[arg(long)]
        test: bool,
    },
    /// List the receipts in a folder: message id, recipient, status code and meaning.
    /// Exit 1 when any receipt reports a failure or cannot be read.
    #[command(after_help = "Example: egov sedex receipts /sedex/interface/receipts --json")]
    Receipts {
        /// The receipts folder.
        dir: PathBuf,
    },
    /// List the messages waiting in an inbox (and files that are not complete messages).
    #[command(after_help = "Example: egov sedex inbox /sedex/interface/inbox")]
    Inbox {
        /// The inbox folder.
        dir: PathBuf,
    },
    /// Run the local sedex simulator over participant folders `ROOT/<sedex id>/{outbox,inbox,receipts,processed}`.
    #[command(after_help = "Example: egov sedex simulate --root ./sedex-sim --once")]
    Simulate {
        /// The folder holding one sub-folder per participant.
        #[arg(long)]
        root: PathBuf,
        /// Create these participants' folders first (repeatable).
        #[arg(long = "participant")]
        participants: Vec<SedexId>,
        /// One pass, then exit (otherwise poll until interrupted).
        #[arg(long)]
        once: bool,
        /// Seconds between passes.
        #[arg(long, default_value_t = 2)]
        interval: u64,
    },
}

fn err(e: egov_sedex::Error) -> io::Error {
    io::Error::other(e)
}

pub(crate) fn run(cmd: &SedexCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        SedexCommand::Send {
            payloads,
            outbox,
            sender,
            recipients,
            message_type,
            message_class,
            reference,
            message_id,
            test,
        } => {
            let fix = |id: &SedexId| if *test { id.with_test_prefix() } else { id.clone() };
            let mut p = EnvelopeParams::new(fix(sender), recipients.iter().map(fix).collect(), *message_type);
            p.message_class = MessageClass::from_code(*message_class);
            p.reference_message_id.clone_from(reference);
            p.message_id.clone_from(message_id);
            let sent = Outbox::new(outbox)
                .and_then(|o| o.send(payloads, p))
                .map_err(err)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &sent)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", sent.message_id)?;
            }
            Ok(Outcome::Ok)
        }
        SedexCommand::Receipts { dir } => {
            let mut failed = false;
            let mut rows = Vec::new();
            for (path, r) in read_receipts(dir).map_err(err)? {
                let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
                match r {
                    Ok(r) => {
                        let class = r.status.class();
                        failed |= class.is_failure();
                        if json {
                            rows.push(json!({
                                "file": file, "message_id": r.message_id, "sender": r.sender,
                                "recipient": r.recipient, "code": r.status.code(),
                                "meaning": r.status.meaning(), "class": class,
                                "info": r.status_info, "event_date": r.event_date, "version": r.version,
                            }));
                        } else {
                            writeln!(
                                out,
                                "{} {} -> {}: {} {} ({class:?})",
                                r.message_id,
                                r.sender,
                                r.recipient,
                                r.status.code(),
                                r.status.meaning()
                            )?;
                        }
                    }
                    Err(e) => {
                        failed = true;
                        if json {
                            rows.push(json!({ "file": file, "error": e.to_string() }));
                        } else {
                            writeln!(out, "{}: UNREADABLE: {e}", path.display())?;
                        }
                    }
                }
            }
            if json {
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            }
            Ok(if failed { Outcome::Invalid } else { Outcome::Ok })
        }
        SedexCommand::Inbox { dir } => {
            let (messages, problems) = Inbox::new(dir).scan().map_err(err)?;
            if json {
                let msgs: Vec<_> = messages
                    .iter()
                    .map(|m| {
                        json!({
                            "key": m.key, "message_id": m.message_id, "sender": m.sender,
                            "message_type": m.envelope.message_type(),
                            "message_class": m.envelope.message_class().code(),
                            "message_date": m.envelope.message_date(),
                            "envelope": m.envelope_path, "payload": m.payload_path,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &json!({ "messages": msgs, "problems": problems }))?;
                writeln!(out)?;
            } else {
                for m in &messages {
                    writeln!(
                        out,
                        "{} from {} type {} class {}: {}",
                        m.message_id,
                        m.sender,
                        m.envelope.message_type(),
                        m.envelope.message_class().code(),
                        m.payload_path.display()
                    )?;
                }
                for p in &problems {
                    writeln!(out, "{}: {}", p.path.display(), p.reason)?;
                }
            }
            Ok(Outcome::Ok)
        }
        SedexCommand::Simulate {
            root,
            participants,
            once,
            interval,
        } => {
            let sim = Simulator::new(root);
            for p in participants {
                sim.add_participant(p).map_err(err)?;
            }
            loop {
                let report = sim.run_once().map_err(err)?;
                for r in &report.receipts {
                    if json {
                        serde_json::to_writer(&mut *out, &r)?;
                        writeln!(out)?;
                    } else {
                        writeln!(
                            out,
                            "{} {} -> {}: {} {}",
                            r.message_id,
                            r.sender,
                            r.recipient,
                            r.status.code(),
                            r.status.meaning()
                        )?;
                    }
                }
                out.flush()?;
                if *once {
                    return Ok(Outcome::Ok);
                }
                std::thread::sleep(Duration::from_secs(*interval));
            }
        }
    }
}
