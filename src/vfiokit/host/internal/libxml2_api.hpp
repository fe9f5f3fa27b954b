// SPDX-License-Identifier: Apache-2.0
// The libxml2 functions vfiokit calls, loaded when a libvirt domain's XML is
// first parsed (base/lazy_library.hpp says why), each typed from libxml2's
// headers.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/lazy_library.hpp"

// libxml2.so.2 has been the soname of every 2.x release.
#ifdef LIBXML_THREAD_ALLOC_ENABLED
#error "xmlFree is then per thread (libxml/globals.h), not the variable loaded here"
#endif
static_assert(LIBXML_VERSION >= 20900 && LIBXML_VERSION < 30000, "vfiokit loads libxml2.so.2, the soname of libxml2 2");

// clang-format off
#define VFIOKIT_LIBXML2_FUNCTIONS(X) \
  X(xmlReadMemory) \
  X(xmlFreeDoc) \
  X(xmlDocGetRootElement) \
  X(xmlGetNoNsProp) \
  X(xmlNodeGetContent) \
  X(xmlGetLastError) \
  X(xmlGetLineNo)
// clang-format on

namespace vfiokit::host {

struct LibXml2 {
  VFIOKIT_LIBXML2_FUNCTIONS(VFIOKIT_LAZY_MEMBER)
  // xmlFree is a variable holding the deallocator (libxml/globals.h).
  xmlFreeFunc* free = nullptr;
};

// The table, loaded once; an error when libxml2 cannot be loaded.
Result<const LibXml2*> libxml2();

}  // namespace vfiokit::host
