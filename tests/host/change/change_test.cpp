// SPDX-License-Identifier: Apache-2.0
// The journaled-change mechanism on its own (host/change): the journal's
// one envelope format, the executor's record-before-every-step and undo on
// failure, and the one recovery loop, with a change that only counts.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "vfiokit/host/change/executor.hpp"
#include "vfiokit/host/change/process_identity.hpp"
#include "vfiokit/host/change/recovery.hpp"

namespace vfiokit::host {
namespace {

// A change of kind "counter" whose steps add 1 to `value`, one of which
// may fail; undo puts `value` back to the recorded start.
struct Counter {
  int value = 0;
};

class CounterChange final : public Change {
 public:
  CounterChange(Counter& counter, std::string id, int start, size_t steps, std::optional<size_t> failing = {})
      : counter_(counter), id_(std::move(id)), start_(start), steps_(steps), failing_(failing) {}
  ChangeKey key() const override { return {"counter", id_}; }
  std::string subject() const override { return "counter " + id_; }
  std::string describe() const override { return "counting"; }
  std::string record() const override { return "{\"start\":" + std::to_string(start_) + "}"; }
  std::vector<std::string> steps() const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < steps_; ++i) out.push_back("add one, #" + std::to_string(i + 1));
    return out;
  }
  Result<void> run_step(size_t index, const ExecutionOptions&) override {
    if (failing_ == index) return fail(Errc::io, subject(), "refused to count");
    ++counter_.value;
    return {};
  }
  std::vector<std::string> undo(const ExecutionOptions&, const std::function<void()>& after_write) override {
    if (stuck) return {"stuck"};
    counter_.value = start_;
    after_write();
    return {};
  }
  std::string undone() const override { return "back at the start"; }
  bool stuck = false;

 private:
  Counter& counter_;
  std::string id_;
  int start_;
  size_t steps_;
  std::optional<size_t> failing_;
};

ChangeKind counter_kind(Counter& counter) {
  return {"counter", [&counter](const SysfsRoot&, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
            const auto at = e.record.find(':');
            if (at == std::string::npos) return fail(Errc::malformed, e.key.file_name(), "no start");
            return std::make_unique<CounterChange>(counter, e.key.id, std::stoi(e.record.substr(at + 1)),
                                                   e.steps.size());
          }};
}

TEST(Journal, EntriesRoundTripInOneEnvelope) {
  testing::TempDir dir;
  const Journal journal(dir.path() / "journal");
  const JournalEntry e{{"counter", "0000:01:00.0"}, ChangeState::undoing, 2, {"a", "b", "c"}, 42, 0, R"({"x":[1,2]})"};
  ASSERT_TRUE(journal.write(e));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "journal/counter-0000:01:00.0.json"));
  auto back = journal.read(e.key);
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->key, e.key);
  EXPECT_EQ((*back)->state, ChangeState::undoing);
  EXPECT_EQ((*back)->next_step, 2u);
  EXPECT_EQ((*back)->steps, e.steps);
  EXPECT_EQ((*back)->pid, 42);
  EXPECT_EQ((*back)->record, R"({"x":[1,2]})");
  ASSERT_TRUE(journal.remove(e.key));
  EXPECT_FALSE(*journal.read(e.key));
  EXPECT_TRUE(journal.remove(e.key));  // removing twice is fine
}

TEST(Journal, ADamagedFileIsNamedAndHidesNothingElse) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  ASSERT_TRUE(journal.write({{"counter", "1"}, ChangeState::applying, 0, {"a"}, 1, 0, "{}"}));
  ASSERT_TRUE(journal.write({{"counter", "3"}, ChangeState::applying, 0, {"a"}, 1, 0, "{}"}));
  // A schema of another type once threw out of json::value() (found by fuzz.journal).
  for (
      const char* text :
      {"", "{", "[]", R"({"schema":456})", R"({"schema":"vfiokit.journal/2","kind":"counter"})",
       R"({"schema":"vfiokit.journal/2","kind":"counter","id":"2","state":"odd","next_step":0,"steps":[],"pid":1,"record":{}})",
       R"({"schema":"vfiokit.journal/2","kind":"counter","id":"2","state":"held","next_step":5e+136,"steps":[],"pid":1,"record":{}})",
       R"({"schema":"vfiokit.journal/2","kind":"counter","id":"../2","state":"held","next_step":0,"steps":[],"pid":1,"record":{}})",
       R"({"schema":"vfiokit.journal/2","kind":"counter","id":"2","state":"held","next_step":0,"steps":[],"pid":1,"record":[]})",
       // counter-2.json holding counter 4: its name is what every lookup trusts.
       R"({"schema":"vfiokit.journal/2","kind":"counter","id":"4","state":"held","next_step":0,"steps":[],"pid":1,"record":{}})"}) {
    std::ofstream(dir.path() / "counter-2.json") << text;
    auto e = journal.read({"counter", "2"});
    ASSERT_FALSE(e) << text;
    EXPECT_NE(e.error().describe().find("counter-2.json"), std::string::npos) << e.error().describe();
    const auto listing = journal.list();
    ASSERT_EQ(listing.entries.size(), 2u) << text;
    EXPECT_EQ(listing.entries[0].key.id, "1");
    EXPECT_EQ(listing.entries[1].key.id, "3");
    ASSERT_EQ(listing.damaged.size(), 1u) << text;
  }
  // Names that are not KIND-ID.json, and temporary files, are not entries.
  std::ofstream(dir.path() / "counter-2.json.tmp") << "x";
  std::filesystem::remove(dir.path() / "counter-2.json");
  EXPECT_TRUE(journal.list().damaged.empty());
  EXPECT_EQ(journal.list("counter").entries.size(), 2u);
  EXPECT_TRUE(journal.list("group").entries.empty());
}

TEST(Journal, ItsDirectoryIsCreatedPrivateAndRefusedWhenOthersCouldWriteIt) {
  testing::TempDir dir;
  const JournalEntry e{{"counter", "1"}, ChangeState::applying, 0, {"a"}, 1, 0, "{}"};
  const Journal journal(dir.path() / "run/vfiokit");
  ASSERT_TRUE(journal.write(e));
  struct stat st {};
  ASSERT_EQ(::stat(journal.dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  // Writable by others: every use is refused, naming the fix, and nothing is read or written.
  ::chmod(journal.dir().c_str(), 0777);
  auto w = journal.write(e);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("others may write to it (mode 777; chmod 700"), std::string::npos)
      << w.error().describe();
  EXPECT_FALSE(journal.read(e.key));
  auto listing = journal.list();
  EXPECT_TRUE(listing.entries.empty());
  ASSERT_EQ(listing.damaged.size(), 1u);
  // Owned by someone else (root runs the tests, so it can give it away).
  ::chmod(journal.dir().c_str(), 0700);
  ASSERT_EQ(::chown(journal.dir().c_str(), 65534, 65534), 0);
  if (::geteuid() == 0) {
    auto r = journal.read(e.key);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("belongs to uid 65534"), std::string::npos) << r.error().describe();
  }
  ASSERT_EQ(::chown(journal.dir().c_str(), ::geteuid(), ::getegid()), 0);
  // A symlink in its place is not followed.
  std::filesystem::create_directory_symlink(journal.dir(), dir.path() / "link");
  auto l = Journal(dir.path() / "link").read(e.key);
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message().find("symbolic link"), std::string::npos) << l.error().describe();
  EXPECT_TRUE(journal.read(e.key) && *journal.read(e.key));
}

TEST(Journal, PlantedFilesAreNeitherFollowedNorWaitedOn) {
  alarm(20);  // a FIFO that blocked would hang the test: fail it instead
  testing::TempDir dir;
  const Journal journal(dir.path() / "journal");
  const JournalEntry e{{"counter", "1"}, ChangeState::applying, 0, {"a"}, 1, 0, "{}"};
  ASSERT_TRUE(journal.write(e));
  // A FIFO and a symlink (to a file outside) named as entries: named, skipped, never opened for data.
  ASSERT_EQ(::mkfifo((journal.dir() / "counter-2.json").c_str(), 0600), 0);
  std::ofstream(dir.path() / "secret") << "{\"schema\":\"vfiokit.journal/2\"}";
  std::filesystem::create_symlink(dir.path() / "secret", journal.dir() / "counter-3.json");
  auto listing = journal.list();
  ASSERT_EQ(listing.entries.size(), 1u);
  ASSERT_EQ(listing.damaged.size(), 2u);
  EXPECT_NE(listing.damaged[0].message().find("not a regular file"), std::string::npos);
  EXPECT_NE(listing.damaged[1].message().find("symbolic link"), std::string::npos);
  // Writing an entry whose name is a planted symlink replaces the link, not its target.
  ASSERT_TRUE(journal.write({{"counter", "3"}, ChangeState::applying, 0, {"a"}, 1, 0, "{}"}));
  EXPECT_FALSE(std::filesystem::is_symlink(journal.dir() / "counter-3.json"));
  std::ifstream secret(dir.path() / "secret");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(secret), {}), "{\"schema\":\"vfiokit.journal/2\"}");
  // No temporary file is left behind.
  for (const auto& f : std::filesystem::directory_iterator(journal.dir()))
    EXPECT_EQ(f.path().filename().string().find(".tmp"), std::string::npos) << f.path();
  alarm(0);
}

TEST(Executor, RecordsEachStepBeforeItRunsAndRemovesTheEntryWhenDone) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  Counter counter;
  CounterChange change(counter, "a", 0, 3);
  ASSERT_TRUE(apply_change(change, journal, {}));
  EXPECT_EQ(counter.value, 3);
  EXPECT_TRUE(journal.list().entries.empty());
}

TEST(Executor, AFailingStepIsUndoneAndNamed) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  Counter counter{5};
  CounterChange change(counter, "a", 5, 4, 2);
  auto r = apply_change(change, journal, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "refused to count (step 3 of 4: add one, #3); back at the start");
  EXPECT_EQ(counter.value, 5);
  EXPECT_TRUE(journal.list().entries.empty());
  // An undo that cannot finish keeps the entry for `recover`.
  CounterChange stuck(counter, "b", 5, 2, 1);
  stuck.stuck = true;
  r = apply_change(stuck, journal, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("undoing failed too: counter b: could not be fully restored (stuck)"),
            std::string::npos)
      << r.error().message();
  const auto left = journal.list();
  ASSERT_EQ(left.entries.size(), 1u);
  EXPECT_EQ(left.entries[0].state, ChangeState::undoing);
  // And a second change of that target is refused until then.
  CounterChange again(counter, "b", 5, 1);
  r = apply_change(again, journal, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("run `vfiokit recover` first"), std::string::npos);
}

TEST(Executor, TwoChangesOfOneTargetNeverRunAtOnce) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  Counter counter;
  {
    // As another vfiokit in the middle of a change of counter a.
    auto held = journal.lock({"counter", "a"});
    ASSERT_TRUE(held) << held.error().describe();
    CounterChange change(counter, "a", 0, 2);
    auto r = apply_change(change, journal, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("another vfiokit is changing this now"), std::string::npos)
        << r.error().describe();
    EXPECT_EQ(counter.value, 0);
    EXPECT_FALSE(undo_change(change, {{"counter", "a"}, ChangeState::applying, 0, {"x"}, 1, 0, "{}"}, journal, {}));
    // Another target is not held up.
    CounterChange other(counter, "b", 0, 1);
    EXPECT_TRUE(apply_change(other, journal, {}));
  }
  // Once the other lets go, the change runs, and no lock file is left.
  CounterChange change(counter, "a", 1, 2);
  ASSERT_TRUE(apply_change(change, journal, {}));
  EXPECT_EQ(counter.value, 3);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Recovery, UndoesEveryUnfinishedEntryAndReportsWhatItCannot) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  Counter counter{9};
  // As a kill after step 2 of 3 leaves it, twice; a held one; a damaged one;
  // a kind this vfiokit does not know.
  ASSERT_TRUE(journal.write({{"counter", "a"}, ChangeState::applying, 2, {"1", "2", "3"}, 1, 0, R"({"start":1})"}));
  ASSERT_TRUE(journal.write({{"counter", "b"}, ChangeState::undoing, 0, {"1"}, 1, 0, R"({"start":1})"}));
  ASSERT_TRUE(journal.write({{"counter", "c"}, ChangeState::held, 1, {"1"}, 1, 0, R"({"start":1})"}));
  ASSERT_TRUE(journal.write({{"future", "x"}, ChangeState::applying, 0, {"1"}, 1, 0, "{}"}));
  std::ofstream(dir.path() / "counter-d.json") << "{ not json";
  std::vector<std::string> said;
  RecoveryReport report;
  report.held = [&](const JournalEntry& e, const Change&) { said.push_back("held " + e.key.id); };
  report.undoing = [&](const JournalEntry& e, const Change&) { said.push_back("undoing " + e.key.id); };
  report.undone = [&](const JournalEntry& e, const Change&) { said.push_back("undone " + e.key.id); };
  report.failed = [&](const Error& e) { said.push_back("failed " + e.subject().substr(e.subject().rfind('/') + 1)); };
  const auto totals = recover_changes(SysfsRoot(dir.path()), journal, {counter_kind(counter)}, {}, report);
  EXPECT_EQ(totals.undone, 2);
  EXPECT_EQ(totals.failed, 2);
  EXPECT_EQ(counter.value, 1);
  EXPECT_EQ(said, (std::vector<std::string>{"failed counter-d.json", "undoing a", "undone a", "undoing b", "undone b",
                                            "held c", "failed future-x.json"}));
  const auto left = journal.list();
  ASSERT_EQ(left.entries.size(), 2u);  // the held one and the unknown kind
  EXPECT_EQ(left.entries[0].key.id, "c");
}

// The writer of an entry is told apart from a later process with its pid.
TEST(ProcessIdentity, StartTimeIsField22EvenWithParenthesesInTheName) {
  EXPECT_EQ(start_time_from_stat("42 (a) b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67"),
            987654u);
  EXPECT_FALSE(start_time_from_stat("42 (x) S 1"));
  EXPECT_FALSE(start_time_from_stat("garbage"));
  const auto self = ProcessIdentity::self();
  EXPECT_GT(self.start, 0u);
  EXPECT_TRUE(self.alive());
  EXPECT_FALSE((ProcessIdentity{self.pid, self.start + 1}.alive()));
}

}  // namespace
}  // namespace vfiokit::host
