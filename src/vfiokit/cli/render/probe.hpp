// SPDX-License-Identifier: Apache-2.0
// `vfiokit probe`'s result as text for a person or as JSON (schema
// vfiokit.probe/1), both from the one ProbeResult.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vfiokit/cli/results/probe_result.hpp"

namespace vfiokit::cli {

std::string probe_text(const ProbeResult& result);
nlohmann::ordered_json probe_json(const ProbeResult& result);

}  // namespace vfiokit::cli
