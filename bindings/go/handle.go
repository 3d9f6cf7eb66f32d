package cfp

import (
	"strings"
	"sync"
)

// handle owns one library object. Calls take the read lock (or the write lock where the C
// object is not thread-safe); Close takes the write lock, so it waits for calls in flight
// and no call ever sees a freed pointer.
type handle struct {
	mu      sync.RWMutex
	ptr     uintptr
	destroy func(uintptr)
}

// shared runs f with the pointer under the read lock: for objects the C API lets several
// threads use at once.
func (h *handle) shared(f func(p uintptr) error) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == 0 {
		return ErrClosed
	}
	return f(h.ptr)
}

// exclusive runs f with the pointer under the write lock: for objects that are not
// thread-safe in C.
func (h *handle) exclusive(f func(p uintptr) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr == 0 {
		return ErrClosed
	}
	return f(h.ptr)
}

// close frees the object once; later calls do nothing.
func (h *handle) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr != 0 {
		h.destroy(h.ptr)
		h.ptr = 0
	}
}

// cString rejects strings C cannot see whole: a NUL byte would silently cut them short.
func cString(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return &Error{Status: StatusInvalidArgument, Message: what + " contains a NUL byte"}
	}
	return nil
}
