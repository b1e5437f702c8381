# loyalty_sanitizers: ASan + UBSan for the dev preset, as an INTERFACE target.
add_library(loyalty_sanitizers INTERFACE)
if(LOYALTY_SANITIZE)
  target_compile_options(loyalty_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(loyalty_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
