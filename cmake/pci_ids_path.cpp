// SPDX-License-Identifier: Apache-2.0
// Prints where this system's libpci reads pci.ids: pci_alloc() sets
// id_file_name from libpci's build configuration (PCI_IDS_DIR, and
// pci.ids.gz when it was built to read a compressed file).
extern "C" {
#include <pci/pci.h>
}
#include <cstdio>

int main() {
  pci_access* a = pci_alloc();
  if (!a || !a->id_file_name) return 1;
  std::fputs(a->id_file_name, stdout);
  pci_cleanup(a);
  return 0;
}
