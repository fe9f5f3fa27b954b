#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every --json document vfiokit prints, checked against its JSON Schema in
docs/schemas: each command is run as a user runs it (on the lab snapshots,
the built-in example, dumps and a simulated host), the document's "schema"
names the file, and every schema file must be used at least once.

    validate_json.py VFIOKIT JSON_SAMPLES SOURCE_DIR
"""
import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import warnings

import jsonschema

VFIOKIT, SAMPLES, SOURCE = sys.argv[1:4]
SCHEMAS = os.path.join(SOURCE, "docs", "schemas")
FIXTURES = [os.path.join(SOURCE, "data", "fixtures", f"lab-q35-{k}.tar.gz") for k in ("debian-6.1", "debian-6.12", "custom")]


def load_schemas():
    by_id, by_document = {}, {}
    for path in sorted(glob.glob(os.path.join(SCHEMAS, "*.schema.json"))):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        by_id[schema["$id"]] = schema
        const = schema.get("properties", {}).get("schema", {}).get("const")
        if const:
            by_document[const] = (os.path.basename(path), schema)
    return by_id, by_document


BY_ID, BY_DOCUMENT = load_schemas()
USED = set()
CHECKED = 0
FAILURES = []


def validate(document, origin):
    global CHECKED
    name = document.get("schema") if isinstance(document, dict) else None
    if name not in BY_DOCUMENT:
        FAILURES.append(f"{origin}: no schema in docs/schemas for {name!r}")
        return
    file, schema = BY_DOCUMENT[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schema, store=BY_ID)
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for e in errors[:5]:
        FAILURES.append(f"{origin}: {file}: at {'/'.join(map(str, e.path)) or '(top)'}: {e.message[:300]}")
    USED.add(file)
    CHECKED += 1


def run(args, expect=(0,), env=None):
    r = subprocess.run([VFIOKIT] + args, capture_output=True, text=True, env=env)
    origin = "vfiokit " + " ".join(args)
    if r.returncode not in expect:
        FAILURES.append(f"{origin}: exit {r.returncode}: {r.stderr.strip()[:300]}")
        return
    try:
        validate(json.loads(r.stdout), origin)
    except json.JSONDecodeError as e:
        FAILURES.append(f"{origin}: not JSON: {e}")


def main():
    for dump in sorted(glob.glob(os.path.join(SOURCE, "data", "examples", "*.lspci"))):
        run(["decode", "--json", dump])
        run(["rebar", "--from", dump, "--json"])
    run(["list", "--json", "--example"])
    run(["groups", "--json", "--example"])
    for bdf in ("07:01.0", "08:00.1", "00:02.0", "00:1f.2"):
        run(["explain", bdf, "--json", "--example"])
    run(["rebar", "00:02.0", "--json", "--example"])
    for fixture in FIXTURES:
        run(["list", "--json", "--sysfs-root", fixture])
        run(["groups", "--json", "--sysfs-root", fixture])
        run(["groups", "--json", "--sysfs-root", fixture, "--bindable"])
        for bdf in ("00:02.0", "0b:00.0", "06:00.0"):
            run(["show", bdf, "--json", "--sysfs-root", fixture])
        run(["power", "00:02.0", "--json", "--sysfs-root", fixture])
        run(["mdev", "list", "--json", "--sysfs-root", fixture])

    # A simulated host: an interrupted resize, a group vfiokit holds, a rule.
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(FIXTURES[1]) as t:
            t.extractall(tmp)
        tree = os.path.join(tmp, "sys")
        env = dict(os.environ, VFIOKIT_TEST_KILL_AFTER_STEP="2")
        subprocess.run([VFIOKIT, "rebar", "07:03.0", "--bar", "0", "--rehearse", "--simulate", tree],
                       capture_output=True, env=env)
        subprocess.run([SAMPLES, "held-group", os.path.join(tree, "vfiokit-sim", "journal")], check=True)
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        with open(os.path.join(rules, "70-vfiokit-0000:08:00.0.rules"), "w", encoding="utf-8") as f:
            f.write('ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:08:00.0|0000:08:00.1", '
                    'RUN+="/usr/bin/vfiokit bind --driver vfio-pci %k"\n')
        run(["status", "--json", "--simulate", tree, "--rules-dir", rules])

    r = subprocess.run([SAMPLES, "rebar-host", VFIOKIT], capture_output=True, text=True)
    if r.returncode != 0:
        FAILURES.append(f"json_samples rebar-host: exit {r.returncode}: {r.stderr.strip()[:300]}")
    else:
        document = json.loads(r.stdout)
        if not document["bars"]:
            FAILURES.append("json_samples rebar-host: the simulated GPU shows no resizable BAR")
        validate(document, "vfiokit rebar (simulated GPU)")
    r = subprocess.run([SAMPLES, "documents"], capture_output=True, text=True, check=True)
    for n, line in enumerate(r.stdout.splitlines()):
        validate(json.loads(line), f"json_samples document {n + 1}")

    unused = sorted({f for f, _ in BY_DOCUMENT.values()} - USED)
    if unused:
        FAILURES.append(f"schemas no document was checked against: {', '.join(unused)}")
    for f in FAILURES:
        print(f"validate_json: {f}")
    print(f"validate_json: {CHECKED} documents against {len(USED)} schemas; {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
