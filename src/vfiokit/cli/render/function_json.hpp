// SPDX-License-Identifier: Apache-2.0
// The one JSON object of a PCI function on a host, the same in every
// document that describes one (list's "functions", groups' "devices"):
// the same names for the same things, integers for numbers, null for what
// is unknown or absent. docs/schemas/function.schema.json describes it.
#pragma once

#include "vfiokit/cli/render/json_writer.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/facts/host_facts.hpp"

namespace vfiokit::cli {

void write_function_json(JsonWriter& w, const host::PciFunction& f, const host::FunctionFacts& facts,
                         host::PciNames& names);

}  // namespace vfiokit::cli
