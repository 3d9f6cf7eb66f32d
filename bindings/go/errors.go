package cfp

import (
	"errors"
	"runtime"

	"cfp/internal/capi"
)

// Status is a libcfp status code (cfp_status). Codes are only ever added, never renumbered.
type Status int32

const (
	StatusOK              Status = 0
	StatusInvalidArgument Status = 1
	StatusInvalidGraph    Status = 2
	StatusInvalidData     Status = 3
	StatusIO              Status = 4
	StatusOutOfMemory     Status = 5
	StatusOutOfRange      Status = 6
	StatusBufferTooSmall  Status = 7
	StatusInfeasible      Status = 8
	StatusUnsupported     Status = 9
	StatusDevice          Status = 10
	StatusTimeLimit       Status = 11
	StatusMemoryLimit     Status = 12
	StatusCancelled       Status = 13
	StatusInternal        Status = 14
)

// String is the library's name of the code, e.g. "CFP_ERR_INVALID_GRAPH".
func (s Status) String() string {
	return capi.Cfp_status_string(capi.Enum_SS_cfp_status(s))
}

// Error is a failed libcfp call: its status and the library's message.
type Error struct {
	Status  Status
	Message string
}

func (e *Error) Error() string {
	return "cfp: " + e.Message + " [" + e.Status.String() + "]"
}

// Is lets errors.Is match on the status alone: errors.Is(err, cfp.ErrInvalidGraph).
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Message == "" && t.Status == e.Status
}

// Sentinels for errors.Is; they match any *Error with the same status.
var (
	ErrInvalidArgument = &Error{Status: StatusInvalidArgument}
	ErrInvalidGraph    = &Error{Status: StatusInvalidGraph}
	ErrInvalidData     = &Error{Status: StatusInvalidData}
	ErrIO              = &Error{Status: StatusIO}
	ErrOutOfMemory     = &Error{Status: StatusOutOfMemory}
	ErrOutOfRange      = &Error{Status: StatusOutOfRange}
	ErrBufferTooSmall  = &Error{Status: StatusBufferTooSmall}
	ErrInfeasible      = &Error{Status: StatusInfeasible}
	ErrUnsupported     = &Error{Status: StatusUnsupported}
	ErrDevice          = &Error{Status: StatusDevice}
	ErrTimeLimit       = &Error{Status: StatusTimeLimit}
	ErrMemoryLimit     = &Error{Status: StatusMemoryLimit}
	ErrCancelled       = &Error{Status: StatusCancelled}
	ErrInternal        = &Error{Status: StatusInternal}
)

// ErrClosed is returned by every method of a handle after its Close.
var ErrClosed = errors.New("cfp: use of a closed handle")

// call runs one C entry point and, when it fails, copies the library's message before
// anything else can overwrite it. The message is thread-local in C, so the goroutine stays
// on its OS thread from the call to the read.
func call(f func() capi.Enum_SS_cfp_status) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if st := f(); st != capi.CFP_OK {
		return &Error{Status: Status(st), Message: capi.Cfp_last_error_message()}
	}
	return nil
}
