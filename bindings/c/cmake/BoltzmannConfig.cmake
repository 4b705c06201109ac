# CMake package of libboltzmann, installed by `make install` to <prefix>/lib/cmake/Boltzmann.
#
#   find_package(Boltzmann 3 REQUIRED)      # CMAKE_PREFIX_PATH=<prefix> if not a system prefix
#   target_link_libraries(app PRIVATE Boltzmann::boltzmann)
#
# The imported target carries the header's folder and a run path to the library's
# folder, so programs linked against it run without LD_LIBRARY_PATH (as with
# `pkg-config --libs boltzmann`). The prefix is found from this file's location, so an
# installed tree may be moved.
get_filename_component(_boltzmann_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_boltzmann_library "${_boltzmann_prefix}/lib/libboltzmann.so")
if(NOT EXISTS "${_boltzmann_library}")
  set(Boltzmann_FOUND FALSE)
  set(Boltzmann_NOT_FOUND_MESSAGE "${_boltzmann_library} is missing: reinstall with `make install`")
  return()
endif()
if(NOT TARGET Boltzmann::boltzmann)
  add_library(Boltzmann::boltzmann SHARED IMPORTED)
  set_target_properties(Boltzmann::boltzmann PROPERTIES
    IMPORTED_LOCATION "${_boltzmann_library}"
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES "${_boltzmann_prefix}/include"
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${_boltzmann_prefix}/lib")
endif()
set(Boltzmann_INCLUDE_DIRS "${_boltzmann_prefix}/include")
set(Boltzmann_LIBRARIES Boltzmann::boltzmann)
unset(_boltzmann_prefix)
unset(_boltzmann_library)
