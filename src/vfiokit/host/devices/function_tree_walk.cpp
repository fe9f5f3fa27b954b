// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/function_tree_walk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "vfiokit/base/populate.hpp"
#include "vfiokit/host/devices/function_attributes.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {
namespace {

// "pci0000:00", "pci10000:e0": a host bridge's directory (a root bus, also
// the one a VMD domain adds below its endpoint).
bool is_host_bridge_dir(std::string_view name) {
  if (!name.starts_with("pci")) return false;
  name.remove_prefix(3);
  const auto colon = name.find(':');
  if (colon == std::string_view::npos || colon < 4 || colon > 8 || name.size() != colon + 3) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c == ':' || std::isxdigit(c); });
}

// A function's directory, "0000:03:00.0", among the others in its parent's
// ("power", "msi_irqs"): a name that cannot be one is not parsed.
std::optional<pci::Bdf> child_address(std::string_view name) {
  if (name.size() < 7 || name[name.size() - 2] != '.') return std::nullopt;
  auto bdf = pci::Bdf::parse(name);
  return bdf ? std::optional(*bdf) : std::nullopt;
}

// Reading sysfs is system calls, each a microsecond or more of the
// kernel's work, and they run in parallel: a host of thousands of virtual
// functions is read by a few threads. Each works depth first from its own
// stack and hands half of it to the shared one only when another thread is
// idle, so the threads meet at a lock a few times per read, not once per
// directory.
class TreeWalk {
 public:
  TreeWalk(Detail detail, const FunctionPlace& place) : detail_(detail), place_(place) {}

  WalkedFunctions run(const std::filesystem::path& devices, const std::function<void()>& meanwhile) {
    auto top = SysfsDir::open(devices);
    auto entries = top ? top->list() : Result<std::vector<DirEntry>>(std::unexpected(top.error()));
    if (!entries) {
      meanwhile();
      return {};
    }
    auto shared = std::make_shared<const SysfsDir>(std::move(*top));
    for (const auto& e : *entries)
      if (e.is_dir && is_host_bridge_dir(e.name)) shared_.push_back({shared, e.name, std::nullopt, std::nullopt, 1});
    shared.reset();
    threads_ = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads_; ++i) {
      try {
        pool.emplace_back([this] { work(); });
      } catch (const std::system_error&) {
        // No more threads (a process or cgroup limit): the walk is the same
        // with fewer, and the threads that run must not wait for one that
        // never started.
        const std::lock_guard lock(mutex_);
        threads_ = 1 + static_cast<unsigned>(pool.size());
        changed_.notify_all();
        break;
      }
    }
    // The other threads finish only once this one has joined them, so what
    // `meanwhile` throws waits until they have.
    std::exception_ptr failed;
    try {
      meanwhile();
    } catch (...) {
      failed = std::current_exception();
    }
    work();
    pool.clear();
    if (failed) std::rethrow_exception(failed);
    return std::move(found_);
  }

 private:
  // Beyond a few threads the kernel's path walks contend with each other.
  static constexpr unsigned kMaxThreads = 4;

  struct Task {
    std::shared_ptr<const SysfsDir> parent_dir;
    std::string name;
    std::optional<pci::Bdf> bdf;     // none for a host bridge's directory
    std::optional<pci::Bdf> parent;  // the function whose directory holds it
    unsigned depth = 0;              // directories below devices/
  };

  // A PCI hierarchy has at most 256 buses per domain, so no real tree nests
  // functions deeper; a deeper one (a crafted tree) is not walked further,
  // which keeps the open directories and their paths bounded. Functions
  // below are still read, one by one, through the bus's links.
  static constexpr unsigned kMaxDepth = 256;

  void work() {
    // Last in, first out: a directory stays open only while its children
    // wait, so open descriptors grow with the depth, not the width.
    std::vector<Task> mine;
    FunctionChunks read;
    for (;;) {
      if (mine.empty() && !take_shared(mine)) break;
      Task t = std::move(mine.back());
      mine.pop_back();
      visit(t, mine, read);
      if (idle_.load(std::memory_order_relaxed) > 0 && mine.size() > 1) share(mine);
    }
    const std::lock_guard lock(mutex_);
    found_.push_back(std::move(read));
  }

  // Waits for shared work; false when there is none and every thread is
  // idle, so none can make more.
  bool take_shared(std::vector<Task>& mine) {
    std::unique_lock lock(mutex_);
    idle_.fetch_add(1, std::memory_order_relaxed);
    changed_.wait(lock, [&] { return !shared_.empty() || idle_.load(std::memory_order_relaxed) == threads_; });
    if (shared_.empty()) {
      changed_.notify_all();
      return false;
    }
    idle_.fetch_sub(1, std::memory_order_relaxed);
    mine.push_back(std::move(shared_.back()));
    shared_.pop_back();
    return true;
  }

  // The older half of the stack: the tasks nearest the top of the tree,
  // with the most below them.
  void share(std::vector<Task>& mine) {
    const std::lock_guard lock(mutex_);
    const auto half = mine.begin() + static_cast<std::ptrdiff_t>(mine.size() / 2);
    std::move(mine.begin(), half, std::back_inserter(shared_));
    mine.erase(mine.begin(), half);
    changed_.notify_all();
  }

  // Each thread keeps what it reads until it is done: the threads meet at
  // the lock once each at the end.
  void visit(const Task& t, std::vector<Task>& children, FunctionChunks& read) {
    auto opened = t.parent_dir->open_child(t.name);
    if (!opened) return;  // read again through the bus's link, which reports why
    auto dir = std::make_shared<const SysfsDir>(std::move(*opened));
    // One pass over the listing finds both the attributes there are and the
    // directories below; nothing of it is kept.
    FunctionAttributes present;
    const size_t first_child = children.size();
    auto listed = dir->each_entry([&](const EntryView& e) {
      if (t.bdf) present.add(e.name);
      if (!e.is_dir) return;  // links such as physfn or driver are not children
      if (auto child = child_address(e.name))
        children.push_back({dir, std::string(e.name), *child, t.bdf, t.depth + 1});
      else if (is_host_bridge_dir(e.name))
        children.push_back({dir, std::string(e.name), std::nullopt, std::nullopt, t.depth + 1});
    });
    PciFunction* f = nullptr;
    if (t.bdf) {
      f = place_(*t.bdf);
      if (!f) f = &read.emplace_back();
      f->bdf = *t.bdf;
      f->parent = t.parent;
      if (listed) read_function_attributes(*dir, present, detail_, *f);
      else f->problems.push_back(listed.error());
    }
    if (!listed) {
      children.erase(children.begin() + static_cast<std::ptrdiff_t>(first_child), children.end());
      return;  // a listing cut short is not walked
    }
    if (t.depth >= kMaxDepth) {
      children.erase(children.begin() + static_cast<std::ptrdiff_t>(first_child), children.end());
      if (f)
        f->problems.push_back(Error(Errc::malformed, dir->path().string(),
                                    fmt::format("deeper than {} nested directories, more than a PCI "
                                                "hierarchy has; not walked further",
                                                kMaxDepth)));
    }
  }

  const Detail detail_;
  const FunctionPlace& place_;
  WalkedFunctions found_;
  unsigned threads_ = 1;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Task> shared_;
  std::atomic<unsigned> idle_ = 0;
};

}  // namespace

PciFunction& FunctionChunks::emplace_back() {
  if (chunks_.empty() || chunks_.back().size() == chunks_.back().capacity()) {
    // Small at first: most hosts have a few dozen functions, and a chunk's
    // pages are all backed at once.
    const size_t room = chunks_.empty() ? 32 : 256;
    auto& chunk = chunks_.emplace_back();
    chunk.reserve(room);
    populate_for_writing(chunk.data(), room * sizeof(PciFunction));
  }
  return chunks_.back().emplace_back();
}

size_t FunctionChunks::size() const {
  size_t n = 0;
  for (const auto& chunk : chunks_) n += chunk.size();
  return n;
}

WalkedFunctions walk_function_tree(const std::filesystem::path& devices, Detail detail,
                                   const std::function<void()>& meanwhile, const FunctionPlace& place) {
  return TreeWalk(detail, place).run(devices, meanwhile);
}

}  // namespace vfiokit::host
