# loyalty_warnings: an INTERFACE target that every project target links, so warning
# flags never leak into third-party code through global CMAKE_CXX_FLAGS.
add_library(loyalty_warnings INTERFACE)
target_compile_options(loyalty_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  # Every member of our aggregates has a default initializer, so naming only the leading
  # fields ({"sku", 2, 450, 900}) is safe and clearer than spelling out the defaults.
  -Wno-missing-field-initializers)
if(LOYALTY_WERROR)
  target_compile_options(loyalty_warnings INTERFACE -Werror)
endif()
