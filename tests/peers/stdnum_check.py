#!/usr/bin/env python3
"""Judges identifiers with python-stdnum, the peer of egov-core's check digits.

Reads lines "KIND<TAB>VALUE" on stdin and writes one line "valid" or "invalid" per input line.
KIND is one of: ahv, uid, iban, qrr, scor.
"""
import sys

from stdnum import iban, iso11649
from stdnum.ch import esr, ssn, uid

VALIDATORS = {
    "ahv": ssn.is_valid,
    "uid": uid.is_valid,
    "iban": iban.is_valid,
    "qrr": esr.is_valid,
    "scor": iso11649.is_valid,
}

for line in sys.stdin:
    kind, _, value = line.rstrip("\n").partition("\t")
    print("valid" if VALIDATORS[kind](value) else "invalid")
