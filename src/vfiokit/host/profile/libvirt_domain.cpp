// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/libvirt_domain.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "vfiokit/host/internal/libxml2_api.hpp"

namespace vfiokit::host {

namespace {

struct DocFree {
  decltype(&::xmlFreeDoc) free_doc;
  void operator()(xmlDoc* d) const { free_doc(d); }
};

bool named(const xmlNode* n, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::optional<std::string> attribute(const LibXml2& x, const xmlNode* n, const char* name) {
  xmlChar* v = x.xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  (*x.free)(v);
  return out;
}

std::string text_of(const LibXml2& x, const xmlNode* n) {
  xmlChar* v = x.xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  if (v) (*x.free)(v);
  return out;
}

// libvirt writes address parts in hex with 0x ("0x03"), and accepts decimal.
std::optional<unsigned> number(const std::optional<std::string>& text, unsigned max) {
  if (!text || text->empty()) return std::nullopt;
  std::string_view s = *text;
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  unsigned v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

template <typename F>
void each_child(const xmlNode* parent, F f) {
  for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) f(c);
}

}  // namespace

Result<LibvirtDomain> parse_libvirt_domain(std::string_view xml) {
  if (xml.size() > kDomainXmlLimit)
    return fail(Errc::invalid_argument, "the domain XML", fmt::format("is larger than {} bytes", kDomainXmlLimit));
  auto loaded = libxml2();
  if (!loaded) return std::unexpected(loaded.error());
  const LibXml2& x = **loaded;
  // No network, no entity substitution, no DTD loading: a hook's input
  // may not reach beyond itself (XXE).
  std::unique_ptr<xmlDoc, DocFree> doc(
      x.xmlReadMemory(xml.data(), int(xml.size()), "domain.xml", nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA),
      DocFree{x.xmlFreeDoc});
  if (!doc) {
    const xmlError* e = x.xmlGetLastError();
    std::string why = e && e->message ? e->message : "unknown error";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return fail(Errc::invalid_argument, fmt::format("the domain XML, line {}", e ? e->line : 0),
                fmt::format("is not XML: {}", why));
  }
  const xmlNode* root = x.xmlDocGetRootElement(doc.get());
  if (!named(root, "domain"))
    return fail(Errc::invalid_argument, "the domain XML", "has no <domain> element at its top");
  LibvirtDomain d;
  Result<void> problem;
  each_child(root, [&](const xmlNode* c) {
    if (named(c, "name")) d.name = text_of(x, c);
    if (named(c, "metadata"))
      each_child(c, [&](const xmlNode* m) {
        if (!named(m, "profile") || !m->ns || !m->ns->href ||
            std::strcmp(reinterpret_cast<const char*>(m->ns->href), kLibvirtNamespace) != 0)
          return;
        if (auto name = attribute(x, m, "name")) d.profile = *name;
        else problem = fail(Errc::invalid_argument, "the domain XML", "has a <vfiokit:profile> without a name");
      });
    if (named(c, "devices"))
      each_child(c, [&](const xmlNode* h) {
        if (!named(h, "hostdev") || attribute(x, h, "type") != "pci") return;
        each_child(h, [&](const xmlNode* s) {
          if (!named(s, "source")) return;
          each_child(s, [&](const xmlNode* a) {
            if (!named(a, "address")) return;
            const auto dom = number(attribute(x, a, "domain"), 0xffff), bus = number(attribute(x, a, "bus"), 0xff),
                       slot = number(attribute(x, a, "slot"), 0x1f), fn = number(attribute(x, a, "function"), 7);
            if (!dom || !bus || !slot || !fn) {
              problem = fail(Errc::invalid_argument, "the domain XML",
                             fmt::format("has a PCI <hostdev> address that is not one (line {})", x.xmlGetLineNo(a)));
              return;
            }
            d.hostdevs.push_back(pci::Bdf(uint16_t(*dom), uint8_t(*bus), uint8_t(*slot), uint8_t(*fn)));
          });
        });
      });
  });
  if (!problem) return fail(problem.error());
  if (d.name.empty()) return fail(Errc::invalid_argument, "the domain XML", "has no <name>");
  return d;
}

}  // namespace vfiokit::host
