// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/function_json.hpp"

namespace vfiokit::cli {
namespace {

void text_or_null(JsonWriter& w, const char* key, const std::string& text) {
  w.key(key);
  if (text.empty()) w.null();
  else w.value(text);
}

}  // namespace

void write_function_json(JsonWriter& w, const host::PciFunction& f, const host::FunctionFacts& facts,
                         host::PciNames& names) {
  const bool ids = f.vendor_id && f.device_id;
  w.begin_object();
  w.key("bdf").value(f.bdf.str());
  w.key("parent");
  if (f.parent) w.value(f.parent->str());
  else w.null();
  w.key("vendor_id").value(f.vendor_id);
  w.key("device_id").value(f.device_id);
  w.key("subsystem_vendor_id").value(f.subsystem_vendor_id);
  w.key("subsystem_id").value(f.subsystem_id);
  w.key("class_code").value(f.class_code);
  text_or_null(w, "vendor_name", f.vendor_id ? names.vendor(*f.vendor_id) : "");
  text_or_null(w, "device_name", ids ? names.device(*f.vendor_id, *f.device_id) : "");
  text_or_null(w, "class_name", f.class_code ? names.device_class(*f.class_code) : "");
  w.key("bridge").value(f.is_bridge());
  text_or_null(w, "driver", f.driver);
  w.key("driver_override").value(f.driver_override);
  w.key("kernel_modules");
  if (facts.modules) w.value(*facts.modules);
  else w.null();
  w.key("iommu_group").value(f.iommu_group);
  w.key("numa_node").value(f.numa_node);
  w.key("reset_methods").value(f.reset_methods);
  w.key("power_state").value(f.power_state);
  w.key("d3cold_allowed").value(f.d3cold_allowed);
  w.key("resizable_bars").value(f.resizable_bars);
  w.key("vfio_dev").value(f.vfio_dev);
  w.key("interfaces").value(facts.class_devices.interfaces);
  w.key("block_devices").value(facts.class_devices.block_devices);
  w.key("in_use").value(facts.in_use);
  w.key("sriov");
  if (f.sriov_totalvfs) {
    w.begin_object();
    w.key("total_vfs").value(*f.sriov_totalvfs).key("num_vfs").value(f.sriov_numvfs.value_or(0));
    w.end_object();
  } else {
    w.null();
  }
  w.key("physfn");
  if (f.physfn) w.value(f.physfn->str());
  else w.null();
  w.key("problems").begin_array();
  for (const auto& p : f.problems) w.value(p.describe());
  w.end_array();
  w.end_object();
}

}  // namespace vfiokit::cli
