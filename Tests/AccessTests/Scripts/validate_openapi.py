#!/usr/bin/env python3
"""Validates recorded admin-API answers against docs/admin-api.openapi.yaml.

Usage: validate_openapi.py SPEC SAMPLES
SAMPLES is JSON lines of {"method", "template", "status", "body"} (body: parsed JSON or null).
Every sample's status must be documented for its operation (or fall under `default`), and a JSON
body must match that response's schema. Exit 1 with one line per problem.
"""
import json
import sys

import jsonschema
import yaml


def inline(node, root):
    """Replaces local $refs by their targets (the spec has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return inline(target, root)
        return {k: inline(v, root) for k, v in node.items() if k not in ("example", "description", "summary")}
    if isinstance(node, list):
        return [inline(v, root) for v in node]
    return node


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    problems = []
    count = 0
    for line in open(sys.argv[2]):
        if not line.strip():
            continue
        sample = json.loads(line)
        count += 1
        where = f'{sample["method"]} {sample["template"]} -> {sample["status"]}'
        operation = spec["paths"].get(sample["template"], {}).get(sample["method"].lower())
        if operation is None:
            problems.append(f"{where}: operation not in the spec")
            continue
        responses = operation["responses"]
        response = responses.get(str(sample["status"])) or responses.get("default")
        if response is None:
            problems.append(f"{where}: status not documented")
            continue
        response = inline(response, spec)
        content = response.get("content", {})
        if sample["body"] is None:
            if "application/json" in content:
                problems.append(f"{where}: JSON body expected")
            continue
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            problems.append(f"{where}: a body was sent but none is documented")
            continue
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(sample["body"]):
            problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    for p in problems:
        print(p)
    print(f"{count} samples, {len(problems)} problems", file=sys.stderr)
    sys.exit(1 if problems or count == 0 else 0)


main()
