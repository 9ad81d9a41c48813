"""Validates an XML file against an XSD with Python xmlschema (what the Python eCH library uses),
resolving the eCH imports through the offline catalog beside the XSDs. Exit 0 when valid.

usage: xmlschema_validate.py SCHEMA.xsd CATALOG.xml FILE.xml
"""
import os
import sys
import xml.etree.ElementTree as ET

import xmlschema

schema_path, catalog_path, doc_path = sys.argv[1:4]
base = os.path.dirname(os.path.abspath(catalog_path))
mapping = {}
for entry in ET.parse(catalog_path).getroot():
    name = entry.get("name") or entry.get("systemId")
    if name and entry.get("uri"):
        mapping[name] = os.path.join(base, entry.get("uri"))
schema = xmlschema.XMLSchema(schema_path, uri_mapper=mapping)
errors = 0
for error in schema.iter_errors(doc_path):
    errors += 1
    if errors <= 3:
        print(error.reason, error.path, file=sys.stderr)
print(f"{doc_path}: {'valid' if errors == 0 else f'{errors} error(s)'}")
sys.exit(0 if errors == 0 else 1)
