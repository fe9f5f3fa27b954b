#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The hostile-input corpus: snapshot archives, sysfs trees, journals and
environments built the way an attacker would hand them to a root vfiokit,
each made fresh by this script at test time and run against the real
`vfiokit` binary, with the safe outcome asserted: a clear error, nothing
written outside, no hang (every run is bounded by a timeout), nothing left
behind in $TMPDIR.

    cases.py --list
    cases.py --vfiokit BIN --probe BIN --source DIR CASE

ctest runs one test per case (tests/CMakeLists.txt: hostile.CASE).
"""
import argparse
import io
import os
import resource
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

TIMEOUT = 20
CASES = {}
SECRET = "SECRET-7f3a9c"  # what must never be printed


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


class Env:
    def __init__(self, args, work):
        self.vfiokit = args.vfiokit
        self.probe = args.probe
        self.source = os.path.abspath(args.source)
        self.work = work
        self.tmp = os.path.join(work, "tmp")  # TMPDIR: leftovers show here
        os.mkdir(self.tmp, 0o700)
        self.outside = os.path.join(work, "outside")  # nothing may change here
        os.mkdir(self.outside)
        with open(os.path.join(self.outside, "victim"), "w") as f:
            f.write(SECRET + "\n")
        os.chmod(os.path.join(self.outside, "victim"), 0o600)

    def fixture(self):
        return os.path.join(self.source, "data/fixtures/lab-q35-debian-6.12.tar.gz")

    def run(self, argv, env=None, cwd=None, timeout=TIMEOUT, binary=None):
        full_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR": self.tmp, "LC_ALL": "C"}
        full_env.update(env or {})
        cmd = [binary or self.vfiokit] + argv
        try:
            p = subprocess.run(cmd, env=full_env, cwd=cwd or self.work, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed(f"hung: {' '.join(cmd)} did not finish in {timeout} s")
        print(f"$ {' '.join(cmd)}  -> {p.returncode}")
        sys.stdout.write(p.stdout.decode(errors="replace")[-2000:])
        sys.stdout.write(p.stderr.decode(errors="replace")[-2000:])
        return p

    def no_leftovers(self):
        left = os.listdir(self.tmp)
        expect(not left, f"left behind in TMPDIR: {left}")

    def outside_unchanged(self):
        names = sorted(os.listdir(self.outside))
        expect(names == ["victim"], f"something was created outside the tree: {names}")
        with open(os.path.join(self.outside, "victim")) as f:
            expect(f.read() == SECRET + "\n", "a file outside the tree was changed")

    def tree(self, name="tree"):
        """The fixture's snapshot unpacked as a directory (a trusted copy)."""
        dst = os.path.join(self.work, name)
        os.mkdir(dst)
        with tarfile.open(self.fixture()) as t:
            try:
                t.extractall(dst, filter="tar")
            except TypeError:  # a Python without extraction filters; the fixture is ours
                t.extractall(dst)
        return dst

    def function_dir(self, tree, bdf="0000:00:01.0"):
        return os.path.realpath(os.path.join(tree, "sys/bus/pci/devices", bdf))


def secret_absent(p):
    text = p.stdout + p.stderr
    expect(SECRET.encode() not in text, "a file outside the tree was printed")


# ---------------------------------------------------------------- archives

def fixture_members(env):
    """(TarInfo, data) of every member of the fixture snapshot."""
    out = []
    with tarfile.open(env.fixture()) as t:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            out.append((m, data))
    return out


def write_archive(path, members, extra=(), mode="w:gz"):
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as t:
        for m, data in list(members) + list(extra):
            t.addfile(m, io.BytesIO(data) if data is not None else None)
    return path


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, linkname=""):
    m = tarfile.TarInfo(name)
    m.type = kind
    m.mode = mode
    m.uid = uid
    m.linkname = linkname
    m.size = len(data) if kind == tarfile.REGTYPE else 0
    return m, (data if kind == tarfile.REGTYPE else None)


def probe(env, archive):
    p = env.run([archive], binary=env.probe)
    return p.returncode, p.stdout.decode()


def refused(env, archive, words):
    """`list` on the archive fails naming `words`, leaving nothing behind."""
    p = env.run(["list", "--sysfs-root", archive])
    expect(p.returncode == 1, f"exit status {p.returncode}, not 1")
    expect(words.encode() in p.stderr, f"the error does not say '{words}'")
    env.no_leftovers()
    env.outside_unchanged()
    return p


@case
def archive_root_0777_stays_private(env):
    members = [(m, d) for m, d in fixture_members(env) if m.name != "./"]
    root, _ = entry("./", tarfile.DIRTYPE, mode=0o777)
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), [(root, None)] + members)
    rc, out = probe(env, archive)
    expect(rc == 0, "a good archive with a 0777 root was refused")
    for line in out.splitlines():
        kind, mode, uid, path = line.split(" ", 3)
        want = {"d": "0700", "f": "0600", "l": "0777"}[kind]
        expect(mode == want, f"{path} was created {mode}, not {want}")
        expect(uid == str(os.geteuid()), f"{path} is owned by {uid}, not by the reader")
    p = env.run(["list", "--sysfs-root", archive])
    expect(p.returncode == 0, "list failed on the archive")
    env.no_leftovers()


@case
def archive_setuid_file_loses_its_bits(env):
    members = fixture_members(env)
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), members,
                            [entry("sys/evil", data=b"#!/bin/sh\n", mode=0o6755, uid=1234)])
    rc, out = probe(env, archive)
    expect(rc == 0, "the archive was refused")
    line = [x for x in out.splitlines() if x.endswith(" sys/evil")]
    expect(line and line[0].startswith("f 0600 "), f"sys/evil became {line}")


@case
def archive_device_node_is_refused(env):
    m, _ = entry("sys/null", tarfile.CHRTYPE, mode=0o666)
    m.devmajor, m.devminor = 1, 3
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env), [(m, None)])
    refused(env, archive, "a character device")


@case
def archive_fifo_for_an_attribute_is_refused(env):
    target = "sys/devices/pci0000:00/0000:00:01.0/vendor"
    members = [(m, d) for m, d in fixture_members(env) if m.name.lstrip("./") != target]
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), members, [entry(target, tarfile.FIFOTYPE)])
    refused(env, archive, "a FIFO")


@case
def archive_bomb_stops_at_the_file_cap(env):
    # 1 GiB of zeros, about 1 MB compressed.
    archive = os.path.join(env.work, "bomb.tar.gz")
    m, _ = entry("sys/big")
    m.size = 1 << 30
    with tarfile.open(archive, "w:gz", compresslevel=1) as t:
        class Zeros(io.RawIOBase):
            left = m.size

            def readable(self):
                return True

            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n
        t.addfile(m, io.BufferedReader(Zeros(), 1 << 20))
    expect(os.path.getsize(archive) < 8 << 20, "the bomb is not small")
    refused(env, archive, "more than 1048576")


@case
def archive_bomb_stops_at_the_total_cap(env):
    files = [entry(f"sys/f{i}", data=bytes(1 << 20)) for i in range(70)]
    archive = write_archive(os.path.join(env.work, "bombs.tar.gz"), files)
    refused(env, archive, "more than 67108864 bytes unpacked")


@case
def archive_with_too_many_entries_is_refused(env):
    archive = os.path.join(env.work, "many.tar")
    with open(archive, "wb") as f:
        # Hand-made ustar headers: 2^18 + 1 empty files, fast to write.
        for i in range((1 << 18) + 1):
            m = tarfile.TarInfo(f"e/{i}")
            f.write(m.tobuf(tarfile.USTAR_FORMAT))
        f.write(bytes(1024))
    refused(env, archive, "more than 262144 entries")


@case
def archive_too_deep_is_refused(env):
    deep = "/".join(["d"] * 70)
    archive = write_archive(os.path.join(env.work, "deep.tar.gz"), [entry(deep + "/f", data=b"x")])
    refused(env, archive, "deeper than 64 directories")


@case
def archive_named_with_a_colon_is_a_local_file(env):
    write_archive(os.path.join(env.work, "host:x.tar.gz"), fixture_members(env))
    p = env.run(["list", "--sysfs-root", "host:x.tar.gz"])
    expect(p.returncode == 0 and b"0000:00:01.0" in p.stdout, "the local archive was not read")
    env.no_leftovers()


@case
def archive_ignores_tar_options_and_path(env):
    fake = os.path.join(env.work, "fakebin")
    os.mkdir(fake)
    sentinel = os.path.join(env.outside, "ran")
    for tool in ("tar", "gzip", "modprobe", "dot"):
        path = os.path.join(fake, tool)
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\ntouch {sentinel}\n")
        os.chmod(path, 0o755)
    p = env.run(["list", "--sysfs-root", env.fixture()],
                env={"PATH": fake + ":/usr/bin:/bin", "TAR_OPTIONS": f"--to-command=touch {sentinel}"})
    expect(p.returncode == 0, "list failed")
    svg = os.path.join(env.work, "g.svg")
    p = env.run(["groups", "--example", "--svg", svg], env={"PATH": fake + ":/usr/bin:/bin"})
    expect(not os.path.exists(sentinel), "a program from the caller's PATH ran")
    env.outside_unchanged()


@case
def archive_path_with_dotdot_is_refused(env):
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env),
                            [entry("sys/../../outside/new", data=b"x")])
    refused(env, archive, "leaves the snapshot")


@case
def archive_absolute_path_is_refused(env):
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env),
                            [entry(os.path.join(env.outside, "new"), data=b"x")])
    refused(env, archive, "an absolute path")


@case
def archive_link_out_of_the_tree_is_refused(env):
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env),
                            [entry("sys/bus/pci/devices/0000:99:00.0", tarfile.SYMTYPE, linkname=env.outside)])
    refused(env, archive, "leaves the snapshot")
    archive = write_archive(os.path.join(env.work, "t.tar.gz"), fixture_members(env),
                            [entry("sys/a/b", tarfile.SYMTYPE, linkname="../.."),
                             entry("sys/x", tarfile.SYMTYPE, linkname="a/b/../../..")])
    refused(env, archive, "leaves the snapshot")


@case
def archive_entry_below_a_link_is_refused(env):
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env),
                            [entry("sys/l", tarfile.SYMTYPE, linkname="bus"),
                             entry("sys/l/planted", data=b"x")])
    refused(env, archive, "lies below a link")


@case
def archive_hard_link_is_refused(env):
    archive = write_archive(os.path.join(env.work, "s.tar.gz"), fixture_members(env),
                            [entry("sys/h", tarfile.LNKTYPE, linkname="kernel-release")])
    refused(env, archive, "a hard link")


@case
def archive_interrupted_leaves_nothing(env):
    # Large enough that unpacking takes a while; SIGINT once it has begun.
    archive = os.path.join(env.work, "slow.tar")
    with open(archive, "wb") as f:
        for i in range(200000):
            f.write(tarfile.TarInfo(f"sys/e{i // 1000}/{i}").tobuf(tarfile.USTAR_FORMAT))
        f.write(bytes(1024))
    p = subprocess.Popen([env.vfiokit, "list", "--sysfs-root", archive], env={"TMPDIR": env.tmp, "PATH": "/usr/bin:/bin"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + TIMEOUT

    def writing():  # the private directory exists and files are being made in it
        dirs = os.listdir(env.tmp)
        return dirs and os.path.isdir(os.path.join(env.tmp, dirs[0], "sys"))
    while not writing() and p.poll() is None and time.time() < deadline:
        time.sleep(0.001)
    expect(writing(), "the unpacking was not seen to begin")
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    rc = p.wait(TIMEOUT)
    expect(rc == -signal.SIGINT, f"vfiokit ended with {rc}, not by SIGINT")
    env.no_leftovers()


# ------------------------------------------------------------------ trees

def commands_on(env, root, bdf="0000:00:01.0"):
    out = []
    for argv in (["list"], ["groups"], ["show", bdf], ["explain", bdf], ["list", "--json"]):
        p = env.run(argv + ["--sysfs-root", root])
        expect(p.returncode in (0, 1), f"{argv[0]} ended with {p.returncode}")
        out.append(p)
    return out


@case
def tree_fifo_attribute_does_not_hang(env):
    tree = env.tree()
    vendor = os.path.join(env.function_dir(tree), "vendor")
    os.unlink(vendor)
    os.mkfifo(vendor)
    runs = commands_on(env, tree)
    expect(any(b"a FIFO where an attribute file belongs" in p.stderr for p in runs), "the FIFO was not named")


@case
def tree_symlink_attribute_is_not_followed(env):
    tree = env.tree()
    fdir = env.function_dir(tree)
    for attr in ("vendor", "config", "uevent"):
        if os.path.lexists(os.path.join(fdir, attr)):
            os.unlink(os.path.join(fdir, attr))
        os.symlink(os.path.join(env.outside, "victim"), os.path.join(fdir, attr))
    runs = commands_on(env, tree)
    for p in runs:
        secret_absent(p)
    expect(any(b"a symbolic link where an attribute file belongs" in p.stderr for p in runs),
           "the link was not named")


@case
def tree_directory_link_out_is_not_followed(env):
    tree = env.tree()
    evil = os.path.join(env.outside, "fn")
    os.mkdir(evil)
    for attr in ("vendor", "device", "class", "config", "uevent"):
        with open(os.path.join(evil, attr), "w") as f:
            f.write(SECRET + "\n")
    # Functions found only through their bus links, one absolute and one
    # relative, both leading out; and a group's devices directory too.
    devices = os.path.join(tree, "sys/bus/pci/devices")
    os.symlink(evil, os.path.join(devices, "0000:55:00.0"))
    os.symlink("../../../../../outside/fn", os.path.join(devices, "0000:56:00.0"))
    runs = commands_on(env, tree, "0000:55:00.0") + commands_on(env, tree, "0000:56:00.0")
    for p in runs:
        secret_absent(p)
    expect(any(b"leads out of the tree" in p.stderr for p in runs), "the way out was not named")
    # The IOMMU groups' directory itself leading out: its entries are not listed.
    groups = os.path.join(tree, "sys/kernel/iommu_groups")
    subprocess.run(["rm", "-rf", groups], check=True)
    os.symlink(evil, groups)
    runs = commands_on(env, tree)
    for p in runs:
        secret_absent(p)
        expect(b"/fn/vendor" not in p.stderr and b"/fn/config" not in p.stderr,
               "names from outside the tree were listed")
    expect(any(b"iommu_groups: leads out of the tree" in p.stderr for p in runs), "the groups' way out was not named")


@case
def tree_control_characters_are_escaped(env):
    tree = env.tree()
    fdir = env.function_dir(tree)
    # A driver link named with an escape sequence, and an Interrupt Pin of 0xDB.
    os.symlink("../../../bus/pci/drivers/\x1b]0;owned\x07\x1b[2J", os.path.join(fdir, "driver"))
    with open(os.path.join(fdir, "config"), "r+b") as f:
        f.seek(0x3D)
        f.write(bytes([0xDB]))
    for argv in (["list"], ["show", "0000:00:01.0"], ["groups"], ["explain", "0000:00:01.0"]):
        p = env.run(argv + ["--sysfs-root", tree])
        for b in (b"\x1b", b"\x07", b"\x9b"):
            expect(b not in p.stdout + p.stderr, f"{argv[0]} printed a raw control character {b!r}")
    p = env.run(["list", "--sysfs-root", tree])
    expect(b"\\x1b]0;owned" in p.stdout, "the driver name is not shown escaped")


@case
def tree_deep_is_bounded(env):
    tree = env.tree()
    top = os.open(env.function_dir(tree), os.O_RDONLY | os.O_DIRECTORY)
    fd = top
    for _ in range(6000):
        os.mkdir("0000:01:00.0", dir_fd=fd)
        nfd = os.open("0000:01:00.0", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        if fd != top:
            os.close(fd)
        fd = nfd
    start = time.time()
    p = env.run(["list", "--sysfs-root", tree])
    took = time.time() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"6000 deep: {took:.2f} s, {rss_mb:.0f} MB")
    subprocess.run(["rm", "-rf", tree], check=True)  # deeper than Python's own removal recurses
    expect(p.returncode in (0, 1), f"list ended with {p.returncode}")
    expect(rss_mb < 100, f"{rss_mb:.0f} MB for a deep tree")


# --------------------------------------------------------------- snapshot

def snapshot_with_links_out(env, name):
    """`vfiokit snapshot NAME` of a tree with a device link that leaves it,
    one into the live /sys and an attribute linked to a file outside: the
    run must succeed, name the links it left out, and create NAME only."""
    tree = env.tree()
    devices = os.path.join(tree, "sys/bus/pci/devices")
    os.symlink("../../../../../outside", os.path.join(devices, "0000:98:00.0"))
    os.symlink("/sys/devices/pci0000:00", os.path.join(devices, "0000:99:00.0"))
    os.symlink("../../../../outside/victim", os.path.join(env.function_dir(tree), "reset_method"))
    out = os.path.join(env.work, name)
    p = env.run(["snapshot", out, "--sysfs-root", tree])
    expect(p.returncode == 0, f"snapshot ended with {p.returncode}")
    expect(b"a link that leaves the tree; left out" in p.stderr, "the links out were not named")
    env.outside_unchanged()
    secret_absent(p)
    expect(sorted(os.listdir(env.work)) == sorted([name, "outside", "tmp", "tree"]), os.listdir(env.work))
    return out


@case
def snapshot_writes_only_its_archive(env):
    out = snapshot_with_links_out(env, "out.tar.gz")
    with tarfile.open(out) as t:
        names = t.getnames()
        expect(not any("0000:98" in n or "0000:99" in n for n in names), "a link out was captured")
        for m in t.getmembers():
            if m.isfile():
                expect(SECRET.encode() not in t.extractfile(m).read(), f"{m.name} holds a file from outside")
    env.no_leftovers()


@case
def snapshot_to_a_directory_writes_only_there(env):
    out = snapshot_with_links_out(env, "out")
    expect(os.stat(out).st_mode & 0o7777 == 0o700, "the snapshot directory is not root's alone")
    for dirpath, dirnames, filenames in os.walk(out):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            expect("0000:98" not in name and "0000:99" not in name, f"a link out was captured: {path}")
            if os.path.islink(path):
                target = os.path.realpath(path)
                expect(target.startswith(out + "/"), f"{path} leads out, to {target}")
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    expect(SECRET.encode() not in f.read(), f"{path} holds a file from outside")
    p = env.run(["list", "--sysfs-root", out])
    expect(p.returncode == 0 and p.stdout.count(b"\n0000:") == 29, "the directory does not list 29 functions")
    env.no_leftovers()


@case
def snapshot_to_a_directory_never_writes_through_the_destination(env):
    # A link planted where the snapshot goes, to a directory the attacker
    # wants filled; and an empty directory there, which a rename would replace.
    target = os.path.join(env.work, "outside")
    os.symlink(target, os.path.join(env.work, "out"))
    os.mkdir(os.path.join(env.work, "empty"))
    for name in ("out", "empty"):
        p = env.run(["snapshot", os.path.join(env.work, name), "--sysfs-root", env.fixture()])
        expect(p.returncode == 1, f"snapshot to {name} ended with {p.returncode}")
    env.outside_unchanged()
    expect(os.listdir(os.path.join(env.work, "empty")) == [], "the empty directory was written into")
    expect(sorted(os.listdir(env.work)) == ["empty", "out", "outside", "tmp"], os.listdir(env.work))
    p = env.run(["snapshot", os.path.join(env.work, "host\x1b[2J"), "--sysfs-root", env.fixture()])
    expect(p.returncode == 0, f"snapshot ended with {p.returncode}")
    expect(b"\x1b" not in p.stdout + p.stderr, "a control character in the name was printed as it is")
    env.no_leftovers()


@case
def snapshot_of_a_relative_root_has_every_config(env):
    env.tree("rel")
    p = env.run(["snapshot", "out.tar.gz", "--sysfs-root", "rel/sys"])
    expect(p.returncode == 0, "snapshot failed")
    with tarfile.open(os.path.join(env.work, "out.tar.gz")) as t:
        configs = [n for n in t.getnames() if n.endswith("/config")]
    expect(len(configs) == 29, f"{len(configs)} config files, not 29")
    p = env.run(["list", "--sysfs-root", "out.tar.gz"])
    expect(p.returncode == 0 and p.stdout.count(b"\n0000:") == 29, "the snapshot does not list 29 functions")


@case
def snapshot_to_a_missing_directory_is_a_clear_error(env):
    p = env.run(["snapshot", os.path.join(env.work, "no/such/x.tar.gz"), "--sysfs-root", env.fixture()])
    expect(p.returncode == 1, f"exit {p.returncode}")
    expect(b"cannot create the snapshot: No such file or directory" in p.stderr, "unclear error")
    expect(b"tar:" not in p.stderr, "a tool's raw output")


# --------------------------------------------------------------- journals

def simulated(env):
    """An unpacked snapshot a simulated kernel acts on, and its journal."""
    tree = os.path.join(env.tree("sim"), "sys")
    journal = os.path.join(tree, "vfiokit-sim", "journal")
    return tree, journal


REHEARSE = ["rebar", "0000:07:03.0", "--bar", "0", "--rehearse"]


def interrupted_resize(env, tree, step=4):
    p = env.run(REHEARSE + ["--simulate", tree], env={"VFIOKIT_TEST_KILL_AFTER_STEP": str(step)})
    expect(p.returncode == -signal.SIGKILL, f"the fault injection did not stop the resize ({p.returncode}); "
           "is this a build with -DVFIOKIT_TEST_HOOKS=ON?")


@case
def journal_planted_temporary_names_are_not_followed(env):
    tree, journal = simulated(env)
    os.makedirs(journal, mode=0o700)
    victim = os.path.join(env.outside, "victim")
    for name in ("resize-0000:07:03.0.json.tmp", "resize-0000:07:03.0.json.tmp.AAAAAA", ".resize-0000:07:03.0.lock"):
        os.symlink(victim, os.path.join(journal, name))
    p = env.run(REHEARSE + ["--simulate", tree])
    env.outside_unchanged()
    expect(p.returncode in (0, 1), f"rebar ended with {p.returncode}")


@case
def journal_new_directory_is_private_under_umask_0(env):
    tree, journal = simulated(env)
    old = os.umask(0)
    try:
        p = env.run(REHEARSE + ["--simulate", tree])
    finally:
        os.umask(old)
    expect(p.returncode == 0, "the rehearsal failed")
    mode = stat.S_IMODE(os.stat(journal).st_mode)
    expect(mode == 0o700, f"the journal directory was created {mode:o}")


@case
def journal_writable_by_others_is_refused(env):
    journal = os.path.join(env.work, "j")
    os.mkdir(journal)
    os.chmod(journal, 0o777)
    for argv in (["status"], ["recover"]):
        p = env.run(argv + ["--journal-dir", journal])
        expect(p.returncode == 1, f"{argv[0]} accepted a world-writable journal")
        expect(b"others may write to it" in p.stderr, "the reason was not given")


def write_journal_file(journal, name, body):
    os.makedirs(journal, mode=0o700, exist_ok=True)
    with open(os.path.join(journal, name), "w") as f:
        f.write(body)


def group_entry(group, driver):
    return ('{"schema": "vfiokit.journal/2", "kind": "group", "id": "%d", "state": "applying", "next_step": 1,'
            ' "steps": ["a", "b"], "pid": 999999, "record": {"group": %d, "driver": "vfio-pci",'
            ' "members": [{"bdf": "0000:00:01.0", "driver": "%s", "driver_override": null, "bridge": false}]}}'
            % (group, group, driver))


@case
def journal_hostile_entries_are_skipped_and_the_rest_recovered(env):
    tree, journal = simulated(env)
    interrupted_resize(env, tree)
    write_journal_file(journal, "group-15.json", group_entry(15, "../../../../x"))
    write_journal_file(journal, "group-17.json", group_entry(16, "e1000e"))
    write_journal_file(journal, "group-18.json", "{ not json")
    os.mkfifo(os.path.join(journal, "group-19.json"))
    p = env.run(["status", "--journal-dir", journal])
    expect(p.returncode in (0, 1), "status failed outright")
    expect(b"rebar" in p.stdout or b"resize" in p.stdout, "status misses the unfinished resize")
    p = env.run(["recover", "--simulate", tree])
    expect(b"recover: 1 operation(s) undone" in p.stdout, "the good entry was not recovered")
    for words in (b"group-15.json", b"group-17.json", b"group-18.json", b"group-19.json"):
        expect(words in p.stderr, f"{words.decode()} was not reported")
    expect(b"holds group-16.json instead of what its name says" in p.stderr, "the name mismatch was not named")
    expect(not os.path.exists(os.path.join(tree, "bus/pci/drivers/../../../../x")), "a write outside")
    env.outside_unchanged()


@case
def journal_two_recovers_at_once_undo_once(env):
    tree, journal = simulated(env)
    p = env.run(["rebar", "0000:07:03.0", "--sysfs-root", tree])
    before = p.stdout
    interrupted_resize(env, tree)
    procs = [subprocess.Popen([env.vfiokit, "recover", "--simulate", tree], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={"TMPDIR": env.tmp, "PATH": "/usr/bin:/bin"})
             for _ in range(2)]
    outs = [pr.communicate(timeout=TIMEOUT) for pr in procs]
    for (out, err), pr in zip(outs, procs):
        print(out.decode(), err.decode())
        expect(pr.returncode == 0, f"a recover ended with {pr.returncode}")
    undone = sum(b"recover: 1 operation(s) undone" in out for out, _ in outs)
    expect(undone == 1, f"{undone} recovers undid the resize")
    expect(not [n for n in os.listdir(journal) if n.endswith(".json")], "an entry is left")
    p = env.run(["rebar", "0000:07:03.0", "--sysfs-root", tree])
    expect(p.stdout == before, "the BAR is not as before")


@case
def simulate_relative_path_keeps_the_tree_whole(env):
    # Issue 22, bug 1: a relative --simulate path put moved functions back
    # in the wrong place and left bus/pci/devices links dangling.
    env.tree("rel")
    p = env.run(REHEARSE + ["--simulate", "rel/sys"])
    expect(p.returncode == 0, "the rehearsal failed")
    p = env.run(["groups", "--sysfs-root", "rel/sys", "--strict"])
    expect(p.returncode == 0, "the tree is not whole after the rehearsal")


@case
def simulate_never_writes_outside_the_tree(env):
    tree, _ = simulated(env)
    fdir = env.function_dir(os.path.dirname(tree), "0000:07:03.0")
    # The attribute the simulated kernel writes on a restore, then one it
    # reads: neither is followed out of the tree.
    for attr in ("driver_override", "resource"):
        os.unlink(os.path.join(fdir, attr))
        os.symlink(os.path.join(env.outside, "victim"), os.path.join(fdir, attr))
        p = env.run(REHEARSE + ["--simulate", tree])
        expect(p.returncode in (0, 1), f"rebar ended with {p.returncode}")
        env.outside_unchanged()
        secret_absent(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--vfiokit")
    ap.add_argument("--probe")
    ap.add_argument("--source")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print(";".join(sorted(CASES)))
        return 0
    with tempfile.TemporaryDirectory(prefix="vfiokit-hostile-") as work:
        try:
            CASES[args.case](Env(args, work))
        except Failed as e:
            print(f"FAIL {args.case}: {e}")
            return 1
    print(f"PASS {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
