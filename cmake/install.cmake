# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts on a machine: the shared library and its
# public headers (every header of base, pci, host, vfio and virt except
# those in internal/ folders), the CMake package (find_package(vfiokit) ->
# vfiokit::vfiokit), vfiokit.pc, and the programs vfiokit and vfiokit-edu.
# The simulated kernel, the CLI's own code and the tests are not installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS vfiokit EXPORT vfiokitTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(layer base pci host vfio virt)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/vfiokit/${layer} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vfiokit
    FILES_MATCHING PATTERN "*.hpp" PATTERN "internal" EXCLUDE)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/vfiokit/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vfiokit)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/vfiokit)
install(EXPORT vfiokitTargets NAMESPACE vfiokit:: DESTINATION ${config_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vfiokitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vfiokitConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vfiokitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)  # before 1.0, a minor version may break the API
install(FILES ${PROJECT_BINARY_DIR}/vfiokitConfig.cmake ${PROJECT_BINARY_DIR}/vfiokitConfigVersion.cmake
  DESTINATION ${config_dir})
file(RELATIVE_PATH VFIOKIT_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" VFIOKIT_PC_TO_PREFIX "${VFIOKIT_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vfiokit.pc.in ${PROJECT_BINARY_DIR}/vfiokit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vfiokit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS vfiokit_bin vfiokit-edu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The Kubernetes device plugin, with the DaemonSet and an example
# configuration (docs/kubernetes.md).
if(VFIOKIT_DEVICE_PLUGIN)
  install(TARGETS vfiokit_device_plugin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/kubernetes/daemonset.yaml
    ${PROJECT_SOURCE_DIR}/deploy/kubernetes/kustomization.yaml ${PROJECT_SOURCE_DIR}/deploy/kubernetes/device-plugin.toml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/vfiokit/kubernetes)
endif()

# The integrations that run vfiokit for a VM manager: the systemd unit that
# brings a profile up at boot, libvirt's QEMU hook, and the Proxmox VE
# hookscript (in share/vfiokit: Proxmox runs hookscripts from a snippets
# storage, where the administrator copies it).
set(VFIOKIT_PROGRAM ${CMAKE_INSTALL_FULL_BINDIR}/vfiokit)
configure_file(${PROJECT_SOURCE_DIR}/dist/systemd/vfiokit-profile@.service.in
  ${PROJECT_BINARY_DIR}/dist/vfiokit-profile@.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/dist/libvirt/qemu-hook.in ${PROJECT_BINARY_DIR}/dist/libvirt-qemu-hook @ONLY)
# Installed for the system (prefix /usr, as a package does), the unit goes
# where Debian 12's systemd looks for packages' units (systemd.pc's
# systemdsystemunitdir, /lib/systemd/system); elsewhere, under the prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(VFIOKIT_SYSTEMD_UNIT_DIR /lib/systemd/system)
else()
  set(VFIOKIT_SYSTEMD_UNIT_DIR lib/systemd/system)
endif()
install(FILES ${PROJECT_BINARY_DIR}/dist/vfiokit-profile@.service DESTINATION ${VFIOKIT_SYSTEMD_UNIT_DIR})
install(PROGRAMS ${PROJECT_BINARY_DIR}/dist/libvirt-qemu-hook DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/libvirt/hooks/qemu.d
  RENAME vfiokit)
configure_file(${PROJECT_SOURCE_DIR}/dist/proxmox/hookscript.in ${PROJECT_BINARY_DIR}/dist/proxmox-hookscript @ONLY)
install(PROGRAMS ${PROJECT_BINARY_DIR}/dist/proxmox-hookscript DESTINATION ${CMAKE_INSTALL_DATADIR}/vfiokit/proxmox
  RENAME vfiokit)

# The man pages: the commands' (written by the build from the command
# model), and the hand-written ones (docs/man/), each into its section
# (vfiokit-device-plugin(8) only with the plugin).
install(DIRECTORY ${PROJECT_BINARY_DIR}/man/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
file(GLOB VFIOKIT_MAN_PAGES ${PROJECT_SOURCE_DIR}/docs/man/*.[1-8])
if(NOT VFIOKIT_DEVICE_PLUGIN)
  list(FILTER VFIOKIT_MAN_PAGES EXCLUDE REGEX "vfiokit-device-plugin")
endif()
foreach(page ${VFIOKIT_MAN_PAGES})
  string(REGEX MATCH "[1-8]$" section ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

# Shell completion, where each shell looks for what packages install
# (bash-completion, zsh's vendor-completions, fish's vendor_completions.d).
install(FILES ${PROJECT_SOURCE_DIR}/dist/completion/vfiokit.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME vfiokit)
install(FILES ${PROJECT_SOURCE_DIR}/dist/completion/_vfiokit DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/dist/completion/vfiokit.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# The JSON schemas of --json output (vfiokit-json(7)).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/schemas/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vfiokit/schemas
  FILES_MATCHING PATTERN "*.schema.json")
