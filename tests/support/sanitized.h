// Whether the tests run under a sanitizer, which slows the library down several times:
// tests that bound time or memory scale their inputs, or skip what the sanitizer distorts
// (AddressSanitizer keeps freed memory, so peak RSS says little).
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CFP_TEST_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define CFP_TEST_UNDER_SANITIZER 1
#endif
#endif
#ifndef CFP_TEST_UNDER_SANITIZER
#define CFP_TEST_UNDER_SANITIZER 0
#endif

namespace cfp_test {

inline constexpr bool kUnderSanitizer = CFP_TEST_UNDER_SANITIZER != 0;

}  // namespace cfp_test
