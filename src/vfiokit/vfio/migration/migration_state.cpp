// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/migration/migration_state.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace vfiokit::vfio {

namespace {
using S = MigState;
constexpr S E = S::error, ST = S::stop, R = S::running, SC = S::stop_copy, RS = S::resuming, RP = S::running_p2p,
            PC = S::pre_copy, PP = S::pre_copy_p2p;

// vfio_from_fsm_table[cur][target], indexed by the uAPI values (ERROR = 0).
constexpr std::array<std::array<S, kMigStates>, kMigStates> kNext = {{
    /* ERROR        */ {E, E, E, E, E, E, E, E},
    /* STOP         */ {E, ST, RP, SC, RS, RP, RP, RP},
    /* RUNNING      */ {E, RP, R, RP, RP, RP, PC, RP},
    /* STOP_COPY    */ {E, ST, ST, SC, ST, ST, E, E},
    /* RESUMING     */ {E, ST, ST, ST, RS, ST, ST, ST},
    /* RUNNING_P2P  */ {E, ST, R, ST, ST, RP, R, PP},
    /* PRE_COPY     */ {E, R, R, PP, R, R, PC, PP},
    /* PRE_COPY_P2P */ {E, RP, RP, SC, RP, RP, PC, PP},
}};

// state_flags_table: the migration flags a state needs.
constexpr std::array<uint64_t, kMigStates> kNeeds = {
    ~uint64_t(0),                                            // ERROR: the table's sentinel
    kMigrationStopCopy,                                      // STOP
    kMigrationStopCopy,                                      // RUNNING
    kMigrationStopCopy,                                      // STOP_COPY
    kMigrationStopCopy,                                      // RESUMING
    kMigrationStopCopy | kMigrationP2p,                      // RUNNING_P2P
    kMigrationStopCopy | kMigrationPreCopy,                  // PRE_COPY
    kMigrationStopCopy | kMigrationP2p | kMigrationPreCopy,  // PRE_COPY_P2P
};

constexpr std::array<const char*, kMigStates> kNames = {"ERROR",    "STOP",        "RUNNING",  "STOP_COPY",
                                                        "RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P"};

bool known(MigState s) { return uint32_t(s) < kMigStates; }
bool in_saving_group(MigState s) { return s == S::pre_copy || s == S::pre_copy_p2p || s == S::stop_copy; }
}  // namespace

const char* mig_state_name(MigState s) { return known(s) ? kNames[uint32_t(s)] : "UNKNOWN"; }

Result<MigState> parse_mig_state(std::string_view text) {
  std::string norm;
  for (char c : text) norm += c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
  for (uint32_t i = 0; i < kMigStates; ++i)
    if (norm == kNames[i]) return MigState(i);
  return fail(Errc::invalid_argument, std::string(text.substr(0, 64)),
              "is not a migration state (STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P)");
}

bool MigrationCaps::supports(MigState s) const {
  if (s == S::error) return true;
  return known(s) && (kNeeds[uint32_t(s)] & flags) == kNeeds[uint32_t(s)];
}

std::string MigrationCaps::describe() const {
  std::string out;
  auto add = [&](uint64_t bit, const char* name) {
    if (flags & bit) out += fmt::format("{}{}", out.empty() ? "" : ", ", name);
  };
  add(kMigrationStopCopy, "STOP_COPY");
  add(kMigrationP2p, "P2P");
  add(kMigrationPreCopy, "PRE_COPY");
  return out.empty() ? "none" : out;
}

MigState next_hop(MigState cur, MigState target, const MigrationCaps& caps) {
  if (!known(cur) || !known(target) || !caps.supports(cur) || !caps.supports(target)) return S::error;
  S next = kNext[uint32_t(cur)][uint32_t(target)];
  // Skip states the device lacks; stop at the ERROR sentinel (a blocked way).
  while (next != S::error && !caps.supports(next)) next = kNext[uint32_t(next)][uint32_t(target)];
  return next;
}

bool is_direct_arc(MigState from, MigState to, const MigrationCaps& caps) {
  return from != to && to != S::error && from != S::error && next_hop(from, to, caps) == to;
}

Result<std::vector<MigState>> plan_path(MigState from, MigState target, const MigrationCaps& caps) {
  auto refuse = [&](std::string why) {
    return fail(Errc::invalid_argument, fmt::format("{} -> {}", mig_state_name(from), mig_state_name(target)),
                std::move(why));
  };
  if (target == S::error) return refuse("ERROR cannot be requested; only VFIO_DEVICE_RESET leaves it");
  if (!known(target) || !caps.supports(target))
    return refuse(fmt::format("the device does not support {} (its migration flags: {})", mig_state_name(target),
                              caps.describe()));
  if (from == S::error) return refuse("the device is in ERROR; only a reset (VFIO_DEVICE_RESET) leaves it");
  std::vector<MigState> path;
  for (S cur = from; cur != target;) {
    const S next = next_hop(cur, target, caps);
    if (next == S::error)
      return refuse(fmt::format("the uAPI has no way from {} to {} (a saving session cannot go back to pre-copy)",
                                mig_state_name(cur), mig_state_name(target)));
    path.push_back(next);
    cur = next;
    if (path.size() > kMigStates) return refuse("the state table loops");  // cannot happen with the table above
  }
  return path;
}

bool arc_starts_session(MigState from, MigState to) {
  return to == S::resuming || (in_saving_group(to) && !in_saving_group(from));
}

}  // namespace vfiokit::vfio
