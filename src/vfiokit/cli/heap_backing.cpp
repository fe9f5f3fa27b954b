// SPDX-License-Identifier: Apache-2.0
// The vfiokit command's heap, backed by the kernel as it grows, instead of
// one page fault per page at each page's first write.
//
// A command on a host of thousands of functions allocates a few megabytes
// in small pieces (names, lists, map nodes) and writes each page of the
// heap once. On a virtual machine a page fault traps to the hypervisor:
// on the machine the benchmarks run on a fault costs ~12 us, and `groups
// --json` at 4,096 functions took 800 of them, where the kernel backs the
// same pages in one madvise call for under 1 us each (base/populate.hpp).
// That machine's hypervisor still traps the first write to each small
// page, ~5 us, however it was backed: 4 MB written took 6-7 ms in small
// pages, populated or not, and 0.3-0.4 ms in 2 MB huge pages, one trap
// each. So where the kernel offers transparent huge pages to regions that
// ask (MADV_HUGEPAGE; "always" or "madvise", Debian's default, in
// /sys/kernel/mm/transparent_hugepage/enabled), the heap grows 8 MB at a
// time, each step asks for them, and each whole 2 MB of it is left to be
// backed by one huge page at its first write: only what is written is
// taken, 2 MB at a time. The step's start, which shares its 2 MB with the
// step before, is backed at once in small pages (the heap is used from
// the bottom up, so that part is written first); its end is left alone,
// to become a huge page when the next step makes its 2 MB whole, if it is
// not written before. Where huge pages are not offered, the first step's
// first megabyte is backed at once, and the heap then grows a megabyte at
// a time, each backed at once. Whether they are is asked at the first
// step, not before: `--version` never grows the heap.
// glibc grows the main arena with brk, by the request plus M_TOP_PAD
// (mallopt(3)).
//
// Linked into the executable only: a process-wide allocation policy is
// the program's to choose, not the library's.
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "vfiokit/base/populate.hpp"

namespace {

// How much the heap grows by at least in small pages: population of a
// part never used costs ~0.2 ms; a megabyte is what `list` on a small host
// allocates. In huge pages a part never written costs nothing.
constexpr int kGrowth = 1 << 20;
constexpr int kHugeGrowth = 8 << 20;
// A PMD's span, the size of a transparent huge page on x86-64 and on arm64
// with 4 KB pages. Where it is larger, only how much of a step's start is
// backed at once in small pages is less than it could be.
constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

// The main arena's break as far as it is backed; only the first thread
// (the one static initialisation runs on) reads the break, which only the
// main arena moves and which other threads' allocations never touch.
uintptr_t g_backed_to = 0;
// Whether steps are advised for huge pages; asked of the kernel at the
// first step, so that a command that never grows the heap (--version)
// makes no system call for it.
enum class Huge { unknown, yes, no } g_huge = Huge::unknown;
thread_local bool t_first_thread = false;

// Whether the kernel backs an advised region in huge pages
// (Documentation/admin-guide/mm/transhuge.rst): its mode is "always" or
// "madvise", and this process is not excluded (PR_SET_THP_DISABLE, which
// a parent's setting passes on).
bool huge_pages_offered() {
  if (::prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) != 0) return false;
  // O_NONBLOCK: whatever is mounted there, the command does not wait on it.
  const int fd = ::open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  char mode[128];
  const ssize_t n = ::read(fd, mode, sizeof mode - 1);
  ::close(fd);
  if (n <= 0) return false;
  mode[n] = '\0';
  return std::strstr(mode, "[always]") || std::strstr(mode, "[madvise]");
}

struct Setup {
  Setup() {
    t_first_thread = true;
    // A larger step, and no trimming of the top of the heap when a large
    // block is freed (M_TRIM_THRESHOLD), which would give back pages the
    // next growth backs again: the process is short-lived. Setting either
    // stops glibc raising its mmap threshold as it otherwise does after a
    // large block is freed, so every block of 128 KB or more (a JSON
    // buffer, a vector indexed by function) would be a fresh mapping
    // faulted in page by page: blocks up to 32 MB come from the heap too.
    ::mallopt(M_TOP_PAD, kHugeGrowth);  // kGrowth after the first step where huge pages are not offered
    ::mallopt(M_TRIM_THRESHOLD, 64 * kGrowth);
    ::mallopt(M_MMAP_THRESHOLD, 32 * kGrowth);
    g_backed_to = reinterpret_cast<uintptr_t>(::sbrk(0));
  }
} g_setup;

void back_new_heap() {
  if (!t_first_thread) return;
  // sbrk(0) returns glibc's record of the break: no system call.
  const auto brk = reinterpret_cast<uintptr_t>(::sbrk(0));
  if (brk <= g_backed_to) {
    g_backed_to = brk;  // trimmed: what grows back is new again
    return;
  }
  const uintptr_t from = g_backed_to;
  g_backed_to = brk;
  if (g_huge == Huge::unknown) {
    g_huge = huge_pages_offered() ? Huge::yes : Huge::no;
    if (g_huge == Huge::no) {
      // This first step was made kHugeGrowth long: its first kGrowth is
      // backed now, the rest as it is written; the steps after it are
      // kGrowth, each backed at once.
      ::mallopt(M_TOP_PAD, kGrowth);
      vfiokit::populate_for_writing(reinterpret_cast<void*>(from), std::min<uintptr_t>(brk - from, kGrowth));
      return;
    }
  }
  static const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first_page = (from + page - 1) & ~(page - 1);
  if (g_huge == Huge::yes && brk > first_page &&
      ::madvise(reinterpret_cast<void*>(first_page), brk - first_page, MADV_HUGEPAGE) == 0) {
    const uintptr_t head_end = std::min((from + kHugePage - 1) & ~(kHugePage - 1), brk);
    vfiokit::populate_for_writing(reinterpret_cast<void*>(from), head_end - from);
    return;
  }
  vfiokit::populate_for_writing(reinterpret_cast<void*>(from), brk - from);
}

void* allocate(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  back_new_heap();
  return p;
}

}  // namespace

// The replaceable allocation functions ([new.delete.single]); the default
// deallocation functions free() what these return.
void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return operator new(n, std::nothrow); }
