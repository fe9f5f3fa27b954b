#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The README is a front page, and true: at most 200 lines; every command in
its ```console blocks runs (on the built-in example host or the example
dumps) and prints, first, exactly the lines shown; every `vfiokit WORD`
the prose mentions is a command that exists; the two commands it gives
name scripts that exist.

    readme_test.py BUILD_DIR
"""
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.abspath(sys.argv[1])
vfiokit = os.path.join(build, "vfiokit")
text = open(os.path.join(here, "README.md"), encoding="utf-8").read()
lines = text.split("\n")
failures = []

if len(lines) > 200:
    failures.append(f"README.md has {len(lines)} lines; a front page has at most 200")

# The commands of ```console blocks and the lines each shows.
examples = []
in_console = False
for line in lines:
    if line.startswith("```console"):
        in_console = True
        continue
    if in_console and line.startswith("```"):
        in_console = False
        continue
    if in_console:
        if line.startswith("$ "):
            examples.append((line[2:], []))
        elif examples:
            examples[-1][1].append(line)
for command, shown in examples:
    words = command.split()
    if words[0] != "vfiokit":
        failures.append(f"console block runs something other than vfiokit: {command}")
        continue
    run = subprocess.run([vfiokit] + words[1:], cwd=here, capture_output=True, text=True, timeout=60)
    got = run.stdout.split("\n")[: len(shown)]
    if run.returncode != 0:
        failures.append(f"`{command}` exited {run.returncode}: {run.stderr.strip()}")
    elif got != shown:
        failures.append(f"`{command}` printed:\n  " + "\n  ".join(got) + "\nbut README.md shows:\n  " + "\n  ".join(shown))
    else:
        print(f"readme_test: ok: {command} ({len(shown)} lines)")
if len(examples) < 5:
    failures.append(f"README.md runs only {len(examples)} example commands")

# Every command the prose names exists.
help_text = subprocess.run([vfiokit, "--help"], capture_output=True, text=True).stdout
commands = set(re.findall(r"^  ([a-z][a-z-]*) ", help_text.split("Subcommands:")[1], re.M))
for word in sorted(set(re.findall(r"`vfiokit ([a-z][a-z-]*)", text))):
    if word not in commands:
        failures.append(f"README.md mentions `vfiokit {word}`, which is not a command")
for script in re.findall(r"^(scripts/[a-z-]+)", text, re.M):
    if not os.access(os.path.join(here, script), os.X_OK):
        failures.append(f"README.md's {script} is not an executable script")

for f in failures:
    print("readme_test:", f)
if not failures:
    print(f"readme_test: README.md is {len(lines)} lines; its {len(examples)} example commands print what it shows")
sys.exit(1 if failures else 0)
