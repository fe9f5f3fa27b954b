// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/usage/man_page.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vfiokit::cli {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  return s;
}

bool is_help(const CLI::Option* o) {
  const auto& l = o->get_lnames();
  return std::find(l.begin(), l.end(), "help") != l.end() || std::find(l.begin(), l.end(), "version") != l.end();
}

std::string option_names(const CLI::Option* o) {
  std::string out;
  for (const auto& s : o->get_snames()) out += (out.empty() ? "" : ", ") + fmt::format("\\fB\\-{}\\fR", roff_text(s));
  for (const auto& l : o->get_lnames())
    out += (out.empty() ? "" : ", ") + fmt::format("\\fB\\-\\-{}\\fR", roff_text(l));
  if (o->get_items_expected_max() > 0) out += fmt::format(" \\fI{}\\fR", roff_text(o->get_type_name()));
  return out;
}

// One paragraph per blank-line-separated block; a block whose lines are
// indented is a display (an example), kept as it is.
std::string paragraphs(std::string_view text) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find("\n\n", at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view block = text.substr(at, end - at);
    while (!block.empty() && block.front() == '\n') block.remove_prefix(1);
    if (!block.empty()) {
      if (block.starts_with("  ")) out += ".PP\n.EX\n" + roff_text(block) + "\n.EE\n";
      else out += ".PP\n" + roff_text(block) + "\n";
    }
    at = end + 2;
  }
  return out;
}

std::string options_section(const CLI::App& cmd) {
  std::string positionals, options;
  for (const CLI::Option* o : cmd.get_options({})) {
    if (is_help(o)) continue;
    std::string what = roff_text(o->get_description());
    if (!o->get_default_str().empty()) what += fmt::format(" (default: {})", roff_text(o->get_default_str()));
    if (!o->get_envname().empty()) what += fmt::format(" (also \\fB${}\\fR)", roff_text(o->get_envname()));
    if (o->nonpositional()) options += fmt::format(".TP\n{}\n{}\n", option_names(o), what);
    else
      positionals += fmt::format(".TP\n\\fI{}\\fR{}\n{}\n", roff_text(o->get_name(true)),
                                 o->get_required() ? "" : " (optional)", what);
  }
  std::string out;
  if (!positionals.empty()) out += ".SS Arguments\n" + positionals;
  if (!options.empty()) out += ".SS Options\n" + options;
  return out;
}

std::string synopsis(const CLI::App& cmd, const std::string& path) {
  std::string out = fmt::format(".B {}\n", roff_text(path));
  if (!visible_subcommands(cmd).empty()) out += "\\fISUBCOMMAND\\fR\n";
  bool any_option = false;
  for (const CLI::Option* o : cmd.get_options({})) {
    if (is_help(o)) continue;
    if (o->nonpositional()) any_option = true;
    else if (o->get_required()) out += fmt::format("\\fI{}\\fR\n", roff_text(o->get_name(true)));
    else out += fmt::format("[\\fI{}\\fR]\n", roff_text(o->get_name(true)));
  }
  if (any_option) out += "[\\fIOPTIONS\\fR]\n";
  return out;
}

std::string header(const std::string& title, std::string_view section, std::string_view version,
                   std::string_view date) {
  return fmt::format(
      ".\\\" SPDX-License-Identifier: Apache-2.0\n"
      ".\\\" Written by vfiokit {} from its command model (vfiokit __man): edit the command, not this page.\n"
      ".TH {} {} {} \"vfiokit {}\" \"vfiokit manual\"\n",
      version, upper(title), section, date, version);
}

const char* const kExitStatus =
    ".SH EXIT STATUS\n.TP\n.B 0\ndone (or, for a command that only reads, nothing wrong was found)\n"
    ".TP\n.B 1\nit failed, or what was read has defects\n"
    ".TP\n.B 2\nthe command line was wrong: nothing was read or changed\n";

ManPage command_page(const CLI::App& cmd, std::string_view version, std::string_view date) {
  const std::string name = "vfiokit-" + cmd.get_name();
  const std::string path = "vfiokit " + cmd.get_name();
  std::string text = header(name, "1", version, date);
  text += fmt::format(".SH NAME\n{} \\- {}\n", roff_text(name), roff_text(cmd.get_description()));
  text += ".SH SYNOPSIS\n" + synopsis(cmd, path);
  text += ".SH DESCRIPTION\n" + paragraphs(cmd.get_description() + ".\n\n" + cmd.get_footer());
  text += options_section(cmd);
  for (const CLI::App* sub : visible_subcommands(cmd)) {
    text += fmt::format(".SH \"{} {}\"\n", roff_text(path), roff_text(sub->get_name()));
    text += synopsis(*sub, path + " " + sub->get_name()).insert(0, ".PP\n");
    text += paragraphs(sub->get_description() + ".\n\n" + sub->get_footer());
    text += options_section(*sub);
  }
  text += kExitStatus;
  text += ".SH SEE ALSO\n.BR vfiokit (1)\n";
  return {name + ".1", text};
}

}  // namespace

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands({}))
    if (!sub->get_group().empty()) out.push_back(sub);
  return out;
}

std::string roff_text(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  return out;
}

std::vector<ManPage> man_pages(const CLI::App& app, std::string_view version, std::string_view date) {
  std::vector<ManPage> pages;
  std::string main = header("vfiokit", "1", version, date);
  main += fmt::format(".SH NAME\nvfiokit \\- {}\n",
                      roff_text(app.get_description().substr(app.get_description().find(": ") + 2)));
  main +=
      ".SH SYNOPSIS\n.B vfiokit\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n.br\n.B vfiokit "
      "\\-\\-version\n";
  main += paragraphs(
      "vfiokit takes a PCI device from \"it is in this machine\" to \"a VM or a userspace driver owns it, "
      "safely\": it shows the PCI tree, IOMMU groups and why each is shaped so; binds whole groups to "
      "vfio-pci, resizes BARs and brings up passthrough profiles, each change planned, printed, applied, "
      "verified, rolled back on failure and journaled; and opens devices through VFIO.");
  main.insert(main.find(".PP\n"), ".SH DESCRIPTION\n");
  main += ".SH COMMANDS\n";
  for (const CLI::App* sub : visible_subcommands(app)) {
    if (sub->get_name() == "help") continue;
    main +=
        fmt::format(".TP\n.BR vfiokit\\-{} (1)\n{}\n", roff_text(sub->get_name()), roff_text(sub->get_description()));
    pages.push_back(command_page(*sub, version, date));
  }
  main += paragraphs(
      "Every command that changes the host prints its plan first (--dry-run stops there), holds a lock "
      "on what it changes and journals each step in /run/vfiokit: vfiokit status shows what is held, "
      "vfiokit recover finishes or undoes what a crash interrupted.");
  main +=
      ".SH ENVIRONMENT\n"
      ".TP\n.B VFIOKIT_SYSFS_ROOT\nread this sysfs tree or snapshot instead of /sys (commands that only read)\n"
      ".TP\n.B VFIOKIT_JOURNAL_DIR\nwhere the journal of changes lives (default /run/vfiokit)\n"
      ".TP\n.B VFIOKIT_UDEV_RULES_DIR\nwhere bind \\-\\-persist installs its rule (default /etc/udev/rules.d)\n";
  main +=
      ".SH FILES\n.TP\n.I /run/vfiokit/\nthe journal\n.TP\n.I /etc/vfiokit/profiles/\npassthrough profiles, "
      "see\n.BR vfiokit-profile (5)\n";
  main += kExitStatus;
  main += ".SH SEE ALSO\n.BR vfiokit-profile (5),\n.BR vfiokit-lab (7),\n.BR vfiokit-json (7),\n.BR lspci (8)\n";
  pages.insert(pages.begin(), ManPage{"vfiokit.1", main});
  return pages;
}

}  // namespace vfiokit::cli
