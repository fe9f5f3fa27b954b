// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/change/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "vfiokit/host/internal/json_fields.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;

constexpr const char* kSchema = "vfiokit.journal/2";
constexpr std::string_view kSuffix = ".json";
constexpr size_t kMaxEntryBytes = 1 << 20;

// A kind is a lower-case word; an id is what the operation names its target
// with (a group number, a BDF, a UUID): neither may leave the directory.
bool plain_name(std::string_view s, bool id) {
  if (s.empty() || s.size() > 64 || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    // Ids are BDFs, group numbers, mdev UUIDs and profile names.
    return (c >= 'a' && c <= 'z') ||
           (id && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ':' || c == '.' || c == '-' || c == '_'));
  });
}

// An entry's text: a regular file, opened without following a link and
// without blocking on a FIFO, read up to the cap.
Result<ChangeKey> key_of_file(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  const auto dash = name.find('-');
  if (dash == std::string::npos || !name.ends_with(kSuffix))
    return fail(Errc::malformed, file.string(), "is not named KIND-ID.json");
  ChangeKey key{name.substr(0, dash), name.substr(dash + 1, name.size() - dash - 1 - kSuffix.size())};
  if (!plain_name(key.kind, false) || !plain_name(key.id, true))
    return fail(Errc::malformed, file.string(), "is not named KIND-ID.json");
  return key;
}

}  // namespace

const char* change_state_name(ChangeState state) {
  switch (state) {
    case ChangeState::applying: return "applying";
    case ChangeState::held: return "held";
    case ChangeState::undoing: return "undoing";
  }
  return "?";
}

std::string journal_entry_to_json(const JournalEntry& e) {
  json record = json::parse(e.record, nullptr, false);
  if (record.is_discarded()) record = json::object();
  const json j{
      {"schema", kSchema},        {"kind", e.key.kind}, {"id", e.key.id}, {"state", change_state_name(e.state)},
      {"next_step", e.next_step}, {"steps", e.steps},   {"pid", e.pid},   {"pid_start", e.pid_start},
      {"record", record}};
  return j.dump(2) + "\n";
}

Result<JournalEntry> journal_entry_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("is not a JSON object");
  if (!has_schema(j, kSchema)) return bad(fmt::format("is not a {} journal entry", kSchema));
  try {
    JournalEntry e;
    e.key.kind = j.at("kind").get<std::string>();
    e.key.id = j.at("id").get<std::string>();
    if (!plain_name(e.key.kind, false) || !plain_name(e.key.id, true))
      return bad(fmt::format("names no change a journal can hold ({}-{})", e.key.kind, e.key.id));
    const auto state = j.at("state").get<std::string>();
    if (state == "applying") e.state = ChangeState::applying;
    else if (state == "held") e.state = ChangeState::held;
    else if (state == "undoing") e.state = ChangeState::undoing;
    else return bad(fmt::format("unknown state '{}'", state));
    e.next_step = integer_field<size_t>(j.at("next_step"));
    e.steps = j.at("steps").get<std::vector<std::string>>();
    e.pid = integer_field<long>(j.at("pid"));
    // Entries written before the start time was recorded have none.
    if (j.contains("pid_start")) e.pid_start = integer_field<uint64_t>(j.at("pid_start"));
    const json& record = j.at("record");
    if (!record.is_object()) return bad("its record is not a JSON object");
    e.record = record.dump();
    return e;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

Journal Journal::choose(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return Journal(explicit_dir);
  // secure_getenv: a setuid or otherwise elevated vfiokit ignores it.
  if (const char* env = ::secure_getenv(kJournalDirEnv); env && *env) return Journal(env);
  return Journal(kDefaultJournalDir);
}

Result<void> Journal::check_dir(bool create) const {
  if (create && ::mkdir(dir_.c_str(), 0700) != 0 && errno == ENOENT) {
    std::error_code ec;  // the parents, as the system's defaults make them; the journal itself 0700
    std::filesystem::create_directories(dir_.parent_path(), ec);
    if (ec) return fail(Error::from_errno(ec.value(), dir_.parent_path().string(), "cannot create the directory"));
    ::mkdir(dir_.c_str(), 0700);
  }
  struct stat st {};
  if (::lstat(dir_.c_str(), &st) != 0) {
    if (errno == ENOENT && !create) return {};
    return fail(Error::from_errno(errno, dir_.string(), "cannot use as the journal directory"));
  }
  const auto refuse = [&](const std::string& why) {
    return fail(Errc::permission, dir_.string(), fmt::format("is refused as the journal directory: {}", why));
  };
  if (S_ISLNK(st.st_mode)) return refuse("it is a symbolic link (name the directory it points to)");
  if (!S_ISDIR(st.st_mode)) return refuse("it is not a directory");
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return refuse(fmt::format("it belongs to uid {}, neither root nor this user", st.st_uid));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return refuse(fmt::format("others may write to it (mode {:o}; chmod 700 {})", st.st_mode & 07777, dir_.string()));
  return {};
}

void Journal::Lock::release() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still held: see the class comment
  ::close(fd_);             // closing the description releases the flock
  fd_ = -1;
}

Journal::Lock& Journal::Lock::operator=(Lock&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    key_ = std::move(o.key_);
  }
  return *this;
}

Journal::Lock::~Lock() { release(); }

Result<Journal::Lock> Journal::lock(const ChangeKey& key, const LockWait& wait) const {
  if (auto ok = check_dir(true); !ok) return fail(ok.error());
  const auto path = dir_ / ("." + key.kind + "-" + key.id + ".lock");
  constexpr int kPollMs = 50;
  int waited_ms = 0;
  for (int replaced = 0; replaced < 100;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) return fail(Error::from_errno(errno, path.string(), "cannot open the lock"));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err != EWOULDBLOCK) return fail(Error::from_errno(err, path.string(), "cannot lock"));
      if (waited_ms >= wait.timeout_ms)
        return fail(Error(Errc::invalid_argument, key.file_name(),
                          wait.timeout_ms > 0
                              ? fmt::format("another vfiokit is still changing this after {} s; try again when it "
                                            "has finished (`vfiokit status`)",
                                            wait.timeout_ms / 1000)
                              : "another vfiokit is changing this now; try again when it has finished",
                          err));
      if (waited_ms == 0 && wait.on_wait)
        wait.on_wait(fmt::format("waiting for another vfiokit to finish with {}", key.file_name()));
      ::usleep(kPollMs * 1000);
      waited_ms += kPollMs;
      continue;
    }
    // The lock counts only if the file is still the one at the path: its
    // last holder may have removed it between our open and our flock.
    struct stat held {
    }, now{};
    if (::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino)
      return Lock(fd, path, key);
    ::close(fd);
    ++replaced;
  }
  return fail(Errc::io, path.string(), "could not be locked: it keeps being replaced");
}

Result<void> Journal::write(const JournalEntry& entry) const {
  if (auto ok = check_dir(true); !ok) return ok;
  return write_file_durably(file(entry.key), journal_entry_to_json(entry));
}

Result<std::optional<JournalEntry>> Journal::read(const ChangeKey& key) const {
  if (auto ok = check_dir(false); !ok) return fail(ok.error());
  const auto path = file(key);
  auto text = read_regular_file(path, kMaxEntryBytes, "a journal entry");
  if (!text) return fail(text.error());
  if (!*text) return std::optional<JournalEntry>();
  auto e = journal_entry_from_json(**text, path.string());
  if (!e) return fail(e.error());
  // The name is what every lookup trusts: a file that holds another change
  // than it is named for (group-15.json saying group 16) is damaged.
  if (e->key != key)
    return fail(Errc::malformed, path.string(),
                fmt::format("holds {} instead of what its name says", e->key.file_name()));
  return std::optional<JournalEntry>(std::move(*e));
}

Result<void> Journal::remove(const ChangeKey& key) const {
  if (::unlink(file(key).c_str()) != 0 && errno != ENOENT)
    return fail(Error::from_errno(errno, file(key).string(), "cannot remove"));
  return {};
}

Journal::Listing Journal::list(std::string_view kind) const {
  Listing out;
  if (auto ok = check_dir(false); !ok) {
    out.damaged.push_back(ok.error());
    return out;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return out;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) {  // unreadable (an unprivileged status of /run/vfiokit): not "nothing held"
    out.damaged.push_back(Error::from_errno(ec.value(), dir_.string(), "cannot list the journal"));
    return out;
  }
  for (const auto& f : it) {
    const std::string name = f.path().filename().string();
    // Temporary files of write_file_durably and anything else that is not
    // an entry's name are not the journal's.
    if (!name.ends_with(kSuffix) || name.starts_with(".")) continue;
    if (!kind.empty() && !name.starts_with(std::string(kind) + "-")) continue;
    files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto key = key_of_file(f);
    if (!key) {
      out.damaged.push_back(key.error());
      continue;
    }
    auto e = read(*key);
    if (!e) out.damaged.push_back(e.error());
    else if (*e) out.entries.push_back(std::move(**e));  // else removed meanwhile
  }
  return out;
}

}  // namespace vfiokit::host
