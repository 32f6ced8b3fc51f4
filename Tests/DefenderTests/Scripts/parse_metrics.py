#!/usr/bin/env python3
"""Parses Prometheus text format from a file (or stdin) with the official client's parser (prometheus-client
from PyPI) and prints every sample as JSON: {"name{label=value,...}": value}. Exits 1 with the
parser's error on malformed input."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = {}
try:
    text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
except Exception as error:  # the parser raises ValueError and others on bad input
    print(f"not Prometheus text format: {error}", file=sys.stderr)
    sys.exit(1)
json.dump(samples, sys.stdout)
