// Package fakefault holds the misbehaviour grunnmur's fake servers share when
// a test injects a fault: dropping the connection without an answer, and
// holding an answer back until a delay passes or the client gives up.
//
//	if f.Delay > 0 && !fakefault.Wait(r.Context(), f.Delay) {
//		return // the client gave up
//	}
//	if f.Drop {
//		fakefault.Drop(w) // does not return
//	}
package fakefault

import (
	"context"
	"net/http"
	"time"
)

// Drop closes the connection without an answer, as a crashed server or a
// lost network would. It hijacks the connection where it can; otherwise
// (HTTP/2, a ResponseRecorder) it aborts the handler with
// http.ErrAbortHandler, which net/http turns into a closed connection or a
// reset stream. It does not return.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			panic(http.ErrAbortHandler) // the answer is gone; stop the handler too
		}
	}
	panic(http.ErrAbortHandler)
}

// Wait waits d, or until ctx ends, and reports whether d passed.
func Wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
