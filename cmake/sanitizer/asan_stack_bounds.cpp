// Sanitizer builds only (VP_SANITIZE): keeps AddressSanitizer's idea of the
// current stack right when an exception is thrown on a thread's own stack
// after SystemC has switched coroutines.
//
// Why: Debian's SystemC 2.3.4 annotates its coroutine switches for ASan, but
// announces the main context with an empty stack (bottom 0, size 0) and
// returns to it unannounced when a thread process ends. ASan then believes
// sc_main runs on the last coroutine's stack, skips the stack unpoisoning that
// __asan_handle_no_return does before a throw ("ASan is ignoring requested
// __asan_handle_no_return"), and later reports stale poison as a false
// stack-use-after-scope or stack-buffer-overflow.
//
// Fix: this executable's __asan_handle_no_return (it interposes the runtime's)
// first re-announces the real bounds of the calling thread's stack when the
// stack pointer lies inside it (a zero-length fiber switch to itself), then
// hands over to the runtime. On a coroutine stack it changes nothing.
#include <dlfcn.h>
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#include <cstdint>

namespace {

struct StackBounds {
  uintptr_t low = 0;
  uintptr_t high = 0;
};

StackBounds thread_stack_bounds() {
  thread_local const StackBounds bounds = [] {
    StackBounds b;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* base = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &base, &size) == 0) {
        b.low = reinterpret_cast<uintptr_t>(base);
        b.high = b.low + size;
      }
      pthread_attr_destroy(&attr);
    }
    return b;
  }();
  return bounds;
}

}  // namespace

extern "C" void __asan_handle_no_return() {
  using HandleNoReturn = void (*)();
  static const auto runtime_handle_no_return =
      reinterpret_cast<HandleNoReturn>(dlsym(RTLD_NEXT, "__asan_handle_no_return"));
  const StackBounds stack = thread_stack_bounds();
  const auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (stack.low < sp && sp < stack.high) {
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, reinterpret_cast<const void*>(stack.low),
                                   stack.high - stack.low);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
  }
  if (runtime_handle_no_return != nullptr) runtime_handle_no_return();
}
