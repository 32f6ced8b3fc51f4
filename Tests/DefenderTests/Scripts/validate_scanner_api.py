#!/usr/bin/env python3
"""Validates samples of the Harbor scanner API exchange against Drydock's JSON schemas
(docs/scanner-adapter/*.schema.json). Usage: validate_scanner_api.py SCHEMA_DIR SAMPLES.jsonl,
each line {"schema": "scan-request", "body": {...}}. Prints every failure; exits 1 if any."""
import json
import pathlib
import sys

import jsonschema

schemas = {path.name.removesuffix(".schema.json"): json.loads(path.read_text())
           for path in pathlib.Path(sys.argv[1]).glob("*.schema.json")}
failures = 0
for number, line in enumerate(pathlib.Path(sys.argv[2]).read_text().splitlines(), 1):
    sample = json.loads(line)
    validator = jsonschema.Draft202012Validator(schemas[sample["schema"]], format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(sample["body"]):
        failures += 1
        print(f"sample {number} ({sample['schema']}): {error.message} at {list(error.absolute_path)}")
if failures:
    sys.exit(1)
print(f"{number} samples valid")
