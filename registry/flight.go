package registry

import (
	"context"
	"fmt"
	"sync"
)

// Group collapses concurrent calls with the same key into one: the first
// caller starts the work, later callers with the same key wait for its result.
// Its zero value is ready to use.
//
// Unlike a plain single flight, a caller that gives up (its context ends) stops
// waiting at once, and the shared work is cancelled only when every caller
// waiting for it has given up. The work runs with the first caller's context
// values but not its cancellation.
type Group struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done    chan struct{}
	v       any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// Do runs fn once for all concurrent callers with key, and returns its result
// to each. shared reports whether the result went to more than one caller.
func (g *Group) Do(ctx context.Context, key string, fn func(ctx context.Context) (any, error)) (v any, err error, shared bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[string]*call)
	}
	c, ok := g.calls[key]
	if ok {
		c.waiters++
		g.mu.Unlock()
		return g.wait(ctx, key, c, true)
	}
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c = &call{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.calls[key] = c
	g.mu.Unlock()

	go func() {
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				c.err = fmt.Errorf("registry: look-up panicked: %v", r)
			}
			g.mu.Lock()
			if g.calls[key] == c {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(c.done)
		}()
		c.v, c.err = fn(workCtx)
	}()
	return g.wait(ctx, key, c, false)
}

func (g *Group) wait(ctx context.Context, key string, c *call, joined bool) (any, error, bool) {
	select {
	case <-c.done:
		g.mu.Lock()
		shared := joined || c.waiters > 1
		g.mu.Unlock()
		return c.v, c.err, shared
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
			// Let the next caller start afresh rather than join a cancelled call.
			if g.calls[key] == c {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		return nil, ctx.Err(), joined
	}
}

// waiting reports how many callers wait for the call with key, 0 if none is
// in flight. Tests use it to know when every caller has joined.
func (g *Group) waiting(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		return c.waiters
	}
	return 0
}
