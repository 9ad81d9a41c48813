"""Reads every message of a maildir with Python's email package (the receiving side's view) and
prints them as JSON: decoded headers, text parts and attachments (name, type, size, SHA-256).

usage: read_maildir.py MAILDIR
"""
import hashlib
import json
import mailbox
import sys
from email import policy
from email.parser import BytesParser

out = []
for key, msg in mailbox.Maildir(sys.argv[1], factory=None).items():
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    item = {
        "subject": str(parsed["subject"]),
        "from": str(parsed["from"]),
        "to": str(parsed["to"]),
        "reply_to": str(parsed["reply-to"]) if parsed["reply-to"] else None,
        "message_id": str(parsed["message-id"]),
        "idempotency": str(parsed["x-egov-message-id"]) if parsed["x-egov-message-id"] else None,
        "content_language": str(parsed["content-language"]) if parsed["content-language"] else None,
        "defects": [type(d).__name__ for d in parsed.defects],
        "text": None,
        "html": None,
        "attachments": [],
    }
    for part in parsed.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True)
            item["attachments"].append({
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            })
        elif part.get_content_type() == "text/plain" and item["text"] is None:
            item["text"] = part.get_content()
        elif part.get_content_type() == "text/html" and item["html"] is None:
            item["html"] = part.get_content()
    out.append(item)
json.dump(out, sys.stdout, ensure_ascii=False)
