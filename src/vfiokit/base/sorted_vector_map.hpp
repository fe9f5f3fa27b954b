// SPDX-License-Identifier: Apache-2.0
// A map kept as one vector of entries sorted by key, for a map that is
// made once and then looked up and walked in key order. Entries added in
// key order are appended; a std::map makes one allocation per entry, and
// the two maps of a large host's group prediction (4,096 functions) made
// 8,192 of them, more than the prediction's own work.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vfiokit {

template <class Key, class Value>
class SortedVectorMap {
 public:
  using key_type = Key;
  using mapped_type = Value;
  using value_type = std::pair<Key, Value>;
  using const_iterator = typename std::vector<value_type>::const_iterator;
  using iterator = const_iterator;

  void reserve(size_t n) { entries_.reserve(n); }

  // Adds `key` with `value` unless `key` is there already (as
  // std::map::emplace); whether it was added. In key order, an append.
  bool emplace(Key key, Value value) {
    if (entries_.empty() || entries_.back().first < key) {
      entries_.emplace_back(std::move(key), std::move(value));
      return true;
    }
    auto at = entries_.begin() + (lower(key) - entries_.cbegin());
    if (at != entries_.end() && !(key < at->first)) return false;
    entries_.emplace(at, std::move(key), std::move(value));
    return true;
  }

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  const_iterator find(const Key& key) const {
    auto at = lower(key);
    return at != entries_.end() && !(key < at->first) ? at : entries_.end();
  }
  bool contains(const Key& key) const { return find(key) != end(); }
  // The value of `key`; std::out_of_range when it has none (as std::map::at).
  const Value& at(const Key& key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("SortedVectorMap::at: no such key");
    return it->second;
  }

  friend bool operator==(const SortedVectorMap&, const SortedVectorMap&) = default;

 private:
  // The first entry whose key is not below `key`.
  const_iterator lower(const Key& key) const {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const value_type& e, const Key& k) { return e.first < k; });
  }

  std::vector<value_type> entries_;
};

}  // namespace vfiokit
