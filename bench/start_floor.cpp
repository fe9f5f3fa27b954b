// SPDX-License-Identifier: Apache-2.0
// The start of a C++ program on this machine, below which `vfiokit
// --version` cannot go: one line through std::cout, linked as the vfiokit
// executable is (src/CMakeLists.txt, vfiokit_link_for_start). Before
// main it constructs the standard streams and the classic locale's facets
// (libstdc++'s ios_base::Init), which every program that includes
// <iostream> pays; vfiokit does through CLI11, whose headers include it.
// bench/small_host_bench.cpp times it beside `vfiokit --version` and
// /bin/true.
#include <iostream>

int main() { std::cout << "start floor\n"; }
