// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_ids.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <initializer_list>
#include <tuple>

#include "vfiokit/host/internal/libz_api.hpp"

namespace vfiokit::host {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

constexpr size_t kChunk = 64 * 1024;
// No line of pci.ids is near this long; one that is ends the index there.
constexpr size_t kLineLimit = 1024 * 1024;
// Nor is any block (the largest vendor's is about 100 KB).
constexpr size_t kBlockLimit = 8 * 1024 * 1024;
constexpr size_t kInflatedLimit = 64 * 1024 * 1024;

// One line as names-parse.c reads it: it ends at the first CR or LF, loses
// one trailing blank, and is skipped when only blanks or a comment remain;
// its leading tabs are its nesting.
struct Line {
  std::string_view body;  // after the leading tabs
  unsigned nest = 0;
  bool skip = false;
  size_t next = 0;  // where the following line starts
};

Line read_line(std::string_view text, size_t at) {
  const size_t nl = text.find('\n', at);
  const size_t end = nl == std::string_view::npos ? text.size() : nl;
  Line out;
  out.next = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string_view raw = text.substr(at, end - at);
  if (const auto cr = raw.find('\r'); cr != std::string_view::npos) raw = raw.substr(0, cr);
  if (!raw.empty() && blank(raw.back())) raw.remove_suffix(1);
  const size_t first = raw.find_first_not_of(" \t");
  out.skip = first == std::string_view::npos || raw[first] == '#';
  const size_t tabs = std::min(raw.find_first_not_of('\t'), raw.size());
  out.nest = static_cast<unsigned>(tabs);
  out.body = raw.substr(tabs);
  return out;
}

// The start of the first line after the one at `at` that is not nested
// `depth` (1 or 2) tabs deep, or text.size(). Most of pci.ids is nested
// lines that no lookup reads (and in a vendor's block, subsystems), so they
// are passed over 64 bytes a step (SSE2 is the x86-64 baseline) rather than
// with a memchr call a line (lines are 30-40 bytes): that call was a third
// of the instructions of `vfiokit list` on a 29-function host.
size_t skip_nested(std::string_view text, size_t at, unsigned depth) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t i = at;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
  const auto load = [&](size_t k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k)); };
  // Bytes of the 16 from k that end a line whose next line is not nested.
  const auto stops = [&](size_t k) {
    __m128i nested = _mm_cmpeq_epi8(load(k + 1), tab);
    if (depth == 2) nested = _mm_and_si128(nested, _mm_cmpeq_epi8(load(k + 2), tab));
    return _mm_andnot_si128(nested, _mm_cmpeq_epi8(load(k), newline));
  };
  for (; i + 64 + depth <= n; i += 64) {
    const __m128i s0 = stops(i), s1 = stops(i + 16), s2 = stops(i + 32), s3 = stops(i + 48);
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(s0, s1), _mm_or_si128(s2, s3))) == 0) continue;
    const __m128i each[] = {s0, s1, s2, s3};
    for (size_t q = 0; q < 4; ++q) {
      if (const int m = _mm_movemask_epi8(each[q]))
        return i + 16 * q + static_cast<size_t>(__builtin_ctz(unsigned(m))) + 1;
    }
  }
#endif
  for (; i < n; ++i) {
    if (p[i] != '\n') continue;
    const size_t s = i + 1;
    if (s == n || p[s] != '\t' || (depth == 2 && (s + 1 == n || p[s + 1] != '\t'))) return s;
  }
  return n;
}

// id_hex(): `width` hex digits at `at`, either case; -1 when they are not.
int hex(std::string_view s, size_t at, size_t width) {
  if (at + width > s.size()) return -1;
  int x = 0;
  for (size_t i = at; i < at + width; ++i) {
    const char c = s[i];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return -1;
    x = x << 4 | digit;
  }
  return x;
}

// A line's IDs (hex fields of the given widths, each followed by a blank)
// and the name after them; nothing when the line is not so.
struct Entry {
  std::array<int, 2> ids{0, 0};
  std::string_view name;
};

std::optional<Entry> entry(std::string_view body, std::initializer_list<size_t> widths) {
  Entry out;
  size_t at = 0, n = 0;
  for (const size_t width : widths) {
    const int id = hex(body, at, width);
    if (id < 0 || at + width >= body.size() || !blank(body[at + width])) return std::nullopt;
    out.ids[n++] = id;
    at += width + 1;
  }
  while (at < body.size() && blank(body[at])) ++at;
  if (at == body.size()) return std::nullopt;  // an entry needs a name
  out.name = body.substr(at);
  return out;
}

// Reads `n` bytes at `offset` into `buf`, fewer only at the file's end or
// on an error; returns how many.
size_t pread_full(int fd, char* buf, size_t n, size_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

// Reads the file's bytes from `from` to `to` (or to its end) through
// `chunk`, kChunk at a time, and hands `visit` the complete lines of each
// with their offset (the last line whole or not); `visit` returns false to
// stop. A line too long for any name (kLineLimit) stops the reading there.
// Returns where the reading stopped.
template <class Visit>
size_t read_lines(int fd, size_t from, size_t to, std::string& chunk, Visit visit) {
  chunk.clear();
  size_t offset = from;  // of chunk's first byte in the file
  for (;;) {
    const size_t kept = chunk.size();
    const size_t want = std::min(kChunk, to - offset - kept);
    chunk.resize_and_overwrite(
        kept + want, [&](char* buf, size_t) { return kept + pread_full(fd, buf + kept, want, offset + kept); });
    const bool at_end = chunk.size() == kept;
    // Complete lines only; the last, cut one waits for the next chunk.
    const size_t nl = chunk.rfind('\n');
    const size_t whole = at_end ? chunk.size() : nl == std::string::npos ? 0 : nl + 1;
    if (!visit(std::string_view(chunk).substr(0, whole), offset) || at_end) break;
    if (whole == 0 && chunk.size() >= kLineLimit) break;
    chunk.erase(0, whole);
    offset += whole;
  }
  return offset + chunk.size();
}

}  // namespace

PciIds::PciIds(std::string text) {
  data_ = std::make_shared<const std::string>(std::move(text));
  text_ = *data_;
  Block* open = nullptr;
  index_lines(text_, 0, open);
  if (open) open->end = text_.size();
}

void PciIds::index_lines(std::string_view t, size_t offset, Block*& open) {
  for (size_t at = 0; at < t.size();) {
    if (t[at] == '\t') {  // nested: most lines, passed over without reading them
      at = skip_nested(t, at, 1);
      continue;
    }
    const Line line = read_line(t, at);
    const Block block{offset + at, offset + line.next, SIZE_MAX};
    at = line.next;
    if (line.skip || line.nest != 0) continue;
    // Any top-level line ends the block before it, recorded or not.
    if (open) open->end = block.line;
    open = nullptr;
    const std::string_view b = line.body;
    const auto record = [&](auto& blocks, auto id) {
      auto [it, added] = blocks.emplace(id, block);  // the first of two duplicates is the one found
      if (added) open = &it->second;                 // a map's elements stay where they are
    };
    if (b.size() > 1 && b[0] == 'C' && b[1] == ' ') {
      if (auto e = entry(b.substr(2), {2})) record(classes_, static_cast<uint8_t>(e->ids[0]));
    } else if (b.size() > 1 && b[0] == 'S' && b[1] == ' ') {
      if (const int v = hex(b, 2, 4); v >= 0 && b.size() == 6) record(generic_subsystems_, static_cast<uint16_t>(v));
    } else if (b.size() > 1 && b[0] >= 'A' && b[0] <= 'Z' && b[1] == ' ') {
      // A block of a kind libpci does not know (reserved): its lines are skipped.
    } else if (auto e = entry(b, {4})) {
      record(vendors_, static_cast<uint16_t>(e->ids[0]));
    }
  }
}

PciIds PciIds::load(const std::string& path) {
  std::string name = path;
  // O_NONBLOCK: a FIFO in its place must not hang a command (it then reads as empty).
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  // libpci's pci_open(): "pci.ids.gz" that is missing is tried as "pci.ids".
  if (fd < 0 && name.size() > 3 && name.ends_with(".gz")) {
    name.resize(name.size() - 3);
    fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  }
  if (fd < 0) return {};
  struct stat st {};
  std::array<unsigned char, 2> magic{};
  const bool plain = ::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, magic.data(), 2, 0) == 2 &&
                     !(magic[0] == 0x1f && magic[1] == 0x8b);  // gzip's magic (RFC 1952)
  if (plain) {
    // Streamed through one 64 KiB buffer to build the index, and each block
    // a lookup needs read when first asked for: only a few dozen of the
    // file's 1.3 MB are ever named, and copying all of it into fresh memory
    // cost 6 ms of page faults on the lab's VM (0.6 ms streamed).
    PciIds ids;
    ids.file_ = std::make_shared<File>(fd);
    // One buffer for the whole file, kept for reading blocks later: the cut
    // line a chunk leaves for the next is short, and a buffer grown per
    // chunk came fresh from mmap each time (past malloc's threshold), every
    // page of it a fault.
    std::string& chunk = ids.file_->chunk;
    chunk.reserve(2 * kChunk);
    Block* open = nullptr;
    const size_t end = read_lines(fd, 0, SIZE_MAX, chunk, [&](std::string_view lines, size_t offset) {
      ids.index_lines(lines, offset, open);
      return true;
    });
    if (open) open->end = end;
    return ids;
  }
  // A libz that cannot be loaded leaves the file unreadable, as a
  // damaged one would: names are a courtesy.
  const auto z = libz();
  gzFile f = z ? (*z)->gzdopen(fd, "rb") : nullptr;  // owns fd from here
  if (!f) {
    ::close(fd);
    return {};
  }
  std::string text;
  std::array<char, 256 * 1024> chunk;
  // Inflated only so far: no pci.ids comes near it (1.3 MB today), and a
  // file that inflates without end (or /dev/zero in its place) must not
  // take the machine's memory.
  while (text.size() < kInflatedLimit) {
    const int n = (*z)->gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n <= 0) break;
    text.append(chunk.data(), static_cast<size_t>(n));
  }
  (*z)->gzclose(f);
  return PciIds(std::move(text));
}

namespace {

// Walks the lines nested in a block from `from`: `visit` gets each line
// that is not skipped and returns false to stop; the block ends at the next
// top-level line.
template <class Visit>
void for_each_nested(std::string_view text, size_t from, Visit visit) {
  for (size_t at = from; at < text.size();) {
    const Line line = read_line(text, at);
    at = line.next;
    if (line.skip) continue;
    if (line.nest == 0 || !visit(line)) return;
  }
}

template <class Map>
const PciIds::Block* find(const Map& blocks, typename Map::key_type id) {
  const auto it = blocks.find(id);
  return it == blocks.end() ? nullptr : &it->second;
}

}  // namespace

std::string_view PciIds::piece(size_t from, size_t to) const {
  if (data_) return text_.substr(std::min(from, text_.size()), to - from);
  std::lock_guard lock(file_->mutex);
  auto [it, added] = file_->pieces.try_emplace({from, to});
  // A file cut short since it was indexed only yields less.
  if (added)
    it->second.resize_and_overwrite(to - from,
                                    [&](char* buf, size_t n) { return pread_full(file_->fd, buf, n, from); });
  return it->second;
}

const PciIds::ChildIndex& PciIds::children(const Block& block, size_t width) const {
  std::lock_guard lock(child_indexes_->mutex);
  auto [it, added] = child_indexes_->by_block.try_emplace(block.line);
  ChildIndex& out = it->second;
  if (!added) return out;
  size_t open = SIZE_MAX;  // the last line found, whose nested lines run on
  // As for_each_nested walks the block, but a line nested twice or more (a
  // subsystem) is passed over unread: no lookup here wants it. Takes the
  // complete lines `t`, which start `base` bytes into the block, and says
  // whether the block goes on past them.
  const auto index = [&](std::string_view t, size_t base) {
    for (size_t at = 0; at < t.size();) {
      if (t.compare(at, 2, "\t\t") == 0) {
        at = skip_nested(t, at, 2);
        continue;
      }
      const Line line = read_line(t, at);
      const size_t here = base + std::exchange(at, line.next);
      if (line.skip) continue;
      // Any line nested less ends the lines under the one before it.
      if (open != SIZE_MAX) out[open].end = static_cast<uint32_t>(here);
      open = SIZE_MAX;
      if (line.nest == 0) return false;
      if (auto e = entry(line.body, {width})) {
        out.push_back({e->ids[0], static_cast<uint32_t>(here), static_cast<uint32_t>(base + line.next), 0});
        open = out.size() - 1;
      }
    }
    return true;
  };
  // Bounded: a block is never read past kBlockLimit, and a file changed
  // since it was indexed only as far as it now goes.
  size_t end = std::min({block.end, block.line + kBlockLimit, data_ ? text_.size() : SIZE_MAX});
  if (end <= block.body) return out;  // a top-level line as long as a block may be (a given text's)
  // Room for as many lines as the block could hold (an entry's line is at
  // least 9 bytes), so the index is never moved as it grows: memory that is
  // reserved but not written costs nothing, and growing by doubling wrote
  // twice Intel's index, 40 page faults more.
  out.reserve((end - block.body) / 9);
  if (data_) {
    index(text_.substr(block.body, end - block.body), block.body - block.line);
  } else {
    std::lock_guard file_lock(file_->mutex);
    end = read_lines(file_->fd, block.body, end, file_->chunk,
                     [&](std::string_view lines, size_t offset) { return index(lines, offset - block.line); });
  }
  if (open != SIZE_MAX) out[open].end = static_cast<uint32_t>(end - block.line);
  std::sort(out.begin(), out.end(),
            [](const Child& a, const Child& b) { return std::tie(a.id, a.line) < std::tie(b.id, b.line); });
  return out;
}

const PciIds::Child* PciIds::child(const Block* block, size_t width, int id) const {
  if (!block) return nullptr;
  const ChildIndex& index = children(*block, width);
  const auto it = std::lower_bound(index.begin(), index.end(), id, [](const Child& c, int v) { return c.id < v; });
  return it != index.end() && it->id == id ? &*it : nullptr;
}

std::optional<std::string_view> PciIds::child_name(const Block* block, size_t width, int id) const {
  const Child* c = child(block, width, id);
  if (!c) return std::nullopt;
  const std::string_view line = piece(block->line + c->line, block->line + c->next);
  auto e = entry(read_line(line, 0).body, {width});
  return e ? std::optional(e->name) : std::nullopt;  // an entry when indexed, unless the file changed since
}

std::optional<std::string_view> PciIds::vendor(uint16_t vendor_id) const {
  const Block* block = find(vendors_, vendor_id);
  auto e = block ? entry(read_line(piece(block->line, block->body), 0).body, {4}) : std::nullopt;
  return e ? std::optional(e->name) : std::nullopt;
}

std::optional<std::string_view> PciIds::device(uint16_t vendor_id, uint16_t device_id) const {
  return child_name(find(vendors_, vendor_id), 4, device_id);
}

std::optional<std::string_view> PciIds::subsystem(uint16_t vendor_id, uint16_t device_id, uint16_t subvendor,
                                                  uint16_t subdevice) const {
  const Block* block = find(vendors_, vendor_id);
  const Child* device = child(block, 4, device_id);
  if (!device) return std::nullopt;
  // The device's own line and the entries under it, which follow it.
  const std::string_view text = piece(block->line + device->line, block->line + device->end);
  std::optional<std::string_view> out;
  bool in_device = false;  // the lines after the device's own
  for_each_nested(text, 0, [&](const Line& l) {
    if (l.nest == 1) {
      if (in_device) return false;  // the next device: this one has no such entry
      auto e = entry(l.body, {4});
      in_device = e && e->ids[0] == device_id;
    } else if (l.nest == 2 && in_device) {
      if (auto e = entry(l.body, {4, 4}); e && e->ids[0] == subvendor && e->ids[1] == subdevice) out = e->name;
    }
    return !out;
  });
  return out;
}

std::optional<std::string_view> PciIds::generic_subsystem(uint16_t subvendor, uint16_t subdevice) const {
  return child_name(find(generic_subsystems_, subvendor), 4, subdevice);
}

std::optional<std::string_view> PciIds::device_class(uint8_t base) const {
  const Block* block = find(classes_, base);
  auto e = block ? entry(read_line(piece(block->line, block->body), 0).body.substr(2), {2}) : std::nullopt;
  return e ? std::optional(e->name) : std::nullopt;
}

std::optional<std::string_view> PciIds::subclass(uint8_t base, uint8_t sub) const {
  return child_name(find(classes_, base), 2, sub);
}

}  // namespace vfiokit::host
