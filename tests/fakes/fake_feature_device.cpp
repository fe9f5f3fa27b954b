// SPDX-License-Identifier: Apache-2.0
#include "fakes/fake_feature_device.hpp"

#include <fcntl.h>
#include <linux/vfio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vfiokit/vfio/device_features.hpp"

namespace vfiokit::testing {

using vfio::Feature;
using vfio::MigState;

FakeFeatureDevice::FakeFeatureDevice() = default;

Result<void> FakeFeatureDevice::err(int e, const char* what) const {
  return fail(Error::from_errno(e, subject_, what));
}

Result<void> FakeFeatureDevice::feature(uint32_t flags, std::span<uint8_t> payload) {
  const uint32_t index = flags & VFIO_DEVICE_FEATURE_MASK;
  const uint32_t op = flags & (vfio::kFeatureGet | vfio::kFeatureSet);
  if (flags & ~(VFIO_DEVICE_FEATURE_MASK | vfio::kFeatureGet | vfio::kFeatureSet | vfio::kFeatureProbe))
    return err(EINVAL, "unknown flags");
  const bool has_get = ops.count({index, vfio::kFeatureGet}), has_set = ops.count({index, vfio::kFeatureSet});
  if (!has_get && !has_set) return err(ENOTTY, "no such feature");
  // vfio_check_feature(): the requested ops must be offered; PROBE stops there.
  if (op == 0) return err(EINVAL, "neither GET nor SET");
  if (((op & vfio::kFeatureGet) && !has_get) || ((op & vfio::kFeatureSet) && !has_set))
    return err(EINVAL, "op not offered");
  if (flags & vfio::kFeatureProbe) return {};
  if ((op & vfio::kFeatureGet) && (op & vfio::kFeatureSet)) return err(EINVAL, "GET and SET");

  switch (Feature(index)) {
    case Feature::migration:
      if (payload.size() < 8) return err(EINVAL, "short");
      std::memcpy(payload.data(), &migration_flags, 8);
      return {};
    case Feature::mig_device_state:
      if (payload.size() < 8) return err(EINVAL, "short");
      if (op == vfio::kFeatureGet) {
        ++get_calls;
        const uint32_t s = uint32_t(state);
        const int32_t fd = -1;
        std::memcpy(payload.data(), &s, 4);
        std::memcpy(payload.data() + 4, &fd, 4);
        return {};
      }
      return migration_set(payload);
    case Feature::mig_data_size: {
      const uint64_t n = device_state_bytes.size();
      std::memcpy(payload.data(), &n, 8);
      return {};
    }
    case Feature::low_power_entry:
    case Feature::low_power_entry_with_wakeup:
      if (low_power) return err(EINVAL, "already in low power");  // pm_runtime_engaged
      low_power = true;
      return {};
    case Feature::low_power_exit: low_power = false; return {};
    case Feature::dma_logging_start: return logging_start(payload);
    case Feature::dma_logging_stop:
      logging = false;
      logged_ranges.clear();
      return {};
    case Feature::dma_logging_report: return logging_report(payload);
    default: return err(ENOTTY, "not modelled");
  }
}

Result<void> FakeFeatureDevice::migration_set(std::span<uint8_t> payload) {
  ++set_calls;
  uint32_t target = 0;
  std::memcpy(&target, payload.data(), 4);
  const vfio::MigrationCaps caps{migration_flags};
  const auto goal = MigState(target);
  if (target >= vfio::kMigStates || goal == MigState::error || !caps.supports(goal)) return err(EINVAL, "bad target");
  int32_t data_fd = -1;
  // The driver's loop (mtty_set_state): one arc at a time, by the kernel's table.
  while (state != goal) {
    const MigState next = vfio::next_hop(state, goal, caps);
    if (next == MigState::error) return err(EINVAL, "blocked");
    if (fault && fault->from == state && fault->to == next) {
      state = fault->ends_in;
      return err(fault->err, "injected fault");
    }
    arcs.push_back({state, next});
    if (state == MigState::resuming && next == MigState::stop) {
      char buf[4096];
      ssize_t n;
      loaded.clear();
      while ((n = ::read(resume_read_.get(), buf, sizeof(buf))) > 0) loaded.append(buf, size_t(n));
      resume_read_.reset();
      if (loaded.empty()) return err(EINVAL, "no state loaded");  // the driver validates what came in
    }
    if (vfio::arc_starts_session(state, next)) {
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) return err(errno, "pipe");
      if (next == MigState::resuming) {
        resume_read_.reset(p[0]);
        data_fd = p[1];
      } else {
        // The whole state fits the pipe: written now, end of stream after.
        (void)!::write(p[1], device_state_bytes.data(), device_state_bytes.size());
        ::close(p[1]);
        data_fd = p[0];
      }
    }
    state = next;
  }
  std::memcpy(payload.data() + 4, &data_fd, 4);
  return {};
}

Result<void> FakeFeatureDevice::reset() {
  ++resets;
  state = MigState::running;
  low_power = false;
  return {};
}

Result<void> FakeFeatureDevice::logging_start(std::span<uint8_t> payload) {
  vfio_device_feature_dma_logging_control c{};
  if (payload.size() < sizeof(c)) return err(EINVAL, "short");
  std::memcpy(&c, payload.data(), sizeof(c));
  if (c.num_ranges == 0) return err(EINVAL, "no ranges");
  if (c.num_ranges > 1024) return err(E2BIG, "too many ranges");
  const auto* ranges = reinterpret_cast<const vfio_device_feature_dma_logging_range*>(uintptr_t(c.ranges));
  std::vector<std::pair<uint64_t, uint64_t>> taken;
  for (uint32_t i = 0; i < c.num_ranges; ++i) {
    const auto& r = ranges[i];
    if (r.iova % c.page_size || r.length % c.page_size) return err(EINVAL, "unaligned");
    for (const auto& [iova, length] : taken)
      if (r.iova < iova + length && iova < r.iova + r.length) return err(EINVAL, "overlap");
    taken.push_back({r.iova, r.length});
  }
  if (log_page_size) c.page_size = log_page_size;
  std::memcpy(payload.data(), &c, sizeof(c));
  logged_ranges = taken;
  logging = true;
  return {};
}

void FakeFeatureDevice::device_writes(uint64_t iova, uint64_t length) {
  const uint64_t page = log_page_size ? log_page_size : 4096;
  for (uint64_t a = iova / page * page; a < iova + length; a += page)
    for (const auto& [start, len] : logged_ranges)
      if (logging && a >= start && a < start + len) written_pages.insert(a);
}

Result<void> FakeFeatureDevice::logging_report(std::span<uint8_t> payload) {
  vfio_device_feature_dma_logging_report r{};
  if (payload.size() < sizeof(r)) return err(EINVAL, "short");
  std::memcpy(&r, payload.data(), sizeof(r));
  if (!logging) return err(EINVAL, "not logging");
  if (r.page_size < 4096 || (r.page_size & (r.page_size - 1))) return err(EINVAL, "page size");
  if (r.iova + r.length < r.iova) return err(EOVERFLOW, "overflow");
  auto* bits = reinterpret_cast<uint64_t*>(uintptr_t(r.bitmap));
  for (auto it = written_pages.begin(); it != written_pages.end();) {
    if (*it >= r.iova && *it < r.iova + r.length) {
      const uint64_t bit = (*it - r.iova) / r.page_size;
      bits[bit / 64] |= uint64_t(1) << (bit % 64);  // only ever set
      it = written_pages.erase(it);                 // read and clear
    } else {
      ++it;
    }
  }
  return {};
}

}  // namespace vfiokit::testing
