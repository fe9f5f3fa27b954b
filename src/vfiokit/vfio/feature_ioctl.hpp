// SPDX-License-Identifier: Apache-2.0
// The device ioctls that device features are built on: VFIO_DEVICE_FEATURE
// and VFIO_DEVICE_RESET (the only way out of the migration ERROR state).
// They sit behind an interface so that a feature no lab device implements
// (device DMA logging) is tested against a model of its documented semantics
// (tests/fakes/fake_feature_device), while the same code drives the kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

// VFIO_DEVICE_FEATURE flags: the feature index in bits 15:0, then the op.
constexpr uint32_t kFeatureGet = 1u << 16;
constexpr uint32_t kFeatureSet = 1u << 17;
constexpr uint32_t kFeatureProbe = 1u << 18;

class DeviceFeatureIoctl {
 public:
  virtual ~DeviceFeatureIoctl() = default;
  // VFIO_DEVICE_FEATURE with `flags` (index | GET/SET/PROBE) and `payload`,
  // the bytes after the 8-byte header, read and written in place. The error
  // names the feature and the op.
  virtual Result<void> feature(uint32_t flags, std::span<uint8_t> payload) = 0;
  virtual Result<void> reset() = 0;
  // The device, for messages ("0000:01:00.0" or an mdev UUID).
  virtual const std::string& subject() const = 0;

  // A payload struct in and out.
  template <class T>
  Result<void> feature(uint32_t flags, T& payload) {
    return feature(flags, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&payload), sizeof(T)));
  }
};

// The kernel behind a device fd.
class KernelFeatureIoctl final : public DeviceFeatureIoctl {
 public:
  KernelFeatureIoctl(int device_fd, std::string subject) : fd_(device_fd), subject_(std::move(subject)) {}
  Result<void> feature(uint32_t flags, std::span<uint8_t> payload) override;
  Result<void> reset() override;
  const std::string& subject() const override { return subject_; }
  using DeviceFeatureIoctl::feature;

 private:
  int fd_;
  std::string subject_;
};

// "VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE, SET)", for messages.
std::string feature_call_name(uint32_t flags);
// The name of a feature index ("LOW_POWER_ENTRY"), or "feature N".
std::string feature_name(uint32_t index);

}  // namespace vfiokit::vfio
