// SPDX-License-Identifier: Apache-2.0
// The vfiokit command's heap, backed by the kernel a megabyte at a time as
// it grows, instead of one page fault per page at each page's first write.
//
// A command on a host of thousands of functions allocates a few megabytes
// in small pieces (names, lists, map nodes) and writes each page of the
// heap once. On a virtual machine a page fault traps to the hypervisor:
// on the machine the benchmarks run on a fault costs ~12 us, and `groups
// --json` at 4,096 functions took 800 of them, where the kernel backs the
// same pages in one madvise call for under 1 us each (base/populate.hpp).
// (That machine's hypervisor still traps the first write to each page,
// ~5 us, so memory touched once costs there whatever is done.) glibc
// grows the main arena with brk, by the request plus M_TOP_PAD
// (mallopt(3)); each time it has, the new part is backed at once.
//
// Linked into the executable only: a process-wide allocation policy is
// the program's to choose, not the library's.
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "vfiokit/base/populate.hpp"

namespace {

// How much the heap grows by at least: population of a part never used
// costs ~0.2 ms; a megabyte is what `list` on a small host allocates.
constexpr int kGrowth = 1 << 20;

// The main arena's break as far as it is backed; only the first thread
// (the one static initialisation runs on) reads the break, which only the
// main arena moves and which other threads' allocations never touch.
uintptr_t g_backed_to = 0;
thread_local bool t_first_thread = false;

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
    ::mallopt(M_TOP_PAD, kGrowth);
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
  vfiokit::populate_for_writing(reinterpret_cast<void*>(g_backed_to), brk - g_backed_to);
  g_backed_to = brk;
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
