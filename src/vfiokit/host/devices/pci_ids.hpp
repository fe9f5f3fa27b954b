// SPDX-License-Identifier: Apache-2.0
// The pci.ids database (the PCI ID Repository's text file), read the way
// libpci reads it (pciutils lib/names-parse.c) but looked up in place.
//
// libpci parses the whole file into a hash of ~40,000 entries before its
// first answer: ~5 ms of CPU on every command, half of `vfiokit list` on a
// small host. A command asks for a handful of names, so the file is only
// indexed by its top-level blocks (vendors, classes), read through once,
// and each lookup reads one block.
//
// Where libpci rejects the whole file (a malformed line, a duplicate entry:
// its error callback, which must not return), a malformed line here is only
// skipped, and the first of two duplicates is the one found.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vfiokit::host {

class PciIds {
 public:
  PciIds() = default;
  // `text` is the file's contents.
  explicit PciIds(std::string text);
  // The file at `path`, gzip-compressed or not as libpci accepts it; a
  // path ending in ".gz" that does not exist is tried without it. A file
  // that cannot be read is an empty database: names are a courtesy.
  static PciIds load(const std::string& path);

  bool empty() const { return vendors_.empty() && classes_.empty(); }
  // The whole text when the index holds it (given, or decompressed), which
  // every name found is then a piece of; empty when it reads a file's
  // blocks as they are asked for.
  std::string_view text() const { return text_; }

  // Each is the name of that exact entry, or nothing.
  std::optional<std::string_view> vendor(uint16_t vendor_id) const;
  std::optional<std::string_view> device(uint16_t vendor_id, uint16_t device_id) const;
  // The entry under the device; "S" blocks give generic_subsystem.
  std::optional<std::string_view> subsystem(uint16_t vendor_id, uint16_t device_id, uint16_t subvendor,
                                            uint16_t subdevice) const;
  std::optional<std::string_view> generic_subsystem(uint16_t subvendor, uint16_t subdevice) const;
  std::optional<std::string_view> device_class(uint8_t base) const;
  std::optional<std::string_view> subclass(uint8_t base, uint8_t sub) const;

  // Where a top-level line is, where the lines nested in it begin, and
  // where the next top-level line is (file offsets).
  struct Block {
    size_t line = 0;
    size_t body = 0;
    size_t end = 0;
  };

 private:
  // Indexes the complete lines `t`, which start at `offset` in the file;
  // `open` is the block the lines so far left open, whose end is the next
  // top-level line.
  void index_lines(std::string_view t, size_t offset, Block*& open);
  // The file's bytes [from, to): a line, or a line and those nested in
  // it. A piece of the text held, or read from the file when first asked
  // for.
  std::string_view piece(size_t from, size_t to) const;

  // A line nested once in a block (a vendor's device, a class's subclass):
  // its ID, and where it starts, where the line after it starts and where
  // the lines nested under it end, as offsets from the block's own line
  // (a block is at most kBlockLimit long).
  struct Child {
    int32_t id = 0;
    uint32_t line = 0;
    uint32_t next = 0;
    uint32_t end = 0;
  };
  // The lines nested once in a block, sorted by ID and then by place, so
  // the first of duplicates comes first. Built on the block's first lookup
  // in one pass that reads only those lines: a vendor's block is up to a
  // few thousand lines (Intel's, 370 KB), most of them subsystems, and
  // every device of the vendor looked it up again. A streamed file's block
  // is read for it through the buffer that indexed the file, and only the
  // lines a lookup then names are kept: holding Intel's whole block cost
  // `vfiokit list` on a small host 90 page faults, 1.3 ms on the lab's VM.
  using ChildIndex = std::vector<Child>;
  const ChildIndex& children(const Block& block, size_t width) const;
  // The first line nested once in `block` whose ID (`width` hex digits) is
  // `id`; null when there is none.
  const Child* child(const Block* block, size_t width, int id) const;
  // Its name.
  std::optional<std::string_view> child_name(const Block* block, size_t width, int id) const;

  struct ChildIndexes {
    std::mutex mutex;
    std::unordered_map<size_t, ChildIndex> by_block;  // by Block::line; elements stay where they are
  };
  std::shared_ptr<ChildIndexes> child_indexes_ = std::make_shared<ChildIndexes>();

  // The whole text, when it was given or decompressed; shared by copies.
  std::shared_ptr<const std::string> data_;
  std::string_view text_;
  // Otherwise the open file, the pieces read from it so far (their
  // strings stay where they are, so names found stay valid) and the buffer
  // it is read through, shared by copies of the index.
  struct File {
    explicit File(int f) : fd(f) {}
    ~File() { ::close(fd); }
    int fd;
    std::mutex mutex;  // guards pieces and chunk
    std::map<std::pair<size_t, size_t>, std::string> pieces;
    std::string chunk;
  };
  std::shared_ptr<File> file_;
  std::unordered_map<uint16_t, Block> vendors_;
  std::unordered_map<uint16_t, Block> generic_subsystems_;
  std::unordered_map<uint8_t, Block> classes_;
};

}  // namespace vfiokit::host
