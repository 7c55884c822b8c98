package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestMemoryCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &registry.MemoryCache{MaxEntries: 3, Now: func() time.Time { return now }}
	get := func(key string) (string, bool) {
		t.Helper()
		v, ok, err := c.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return string(v), ok
	}
	set := func(key, v string, ttl time.Duration) {
		t.Helper()
		if err := c.Set(ctx, key, []byte(v), ttl); err != nil {
			t.Fatal(err)
		}
	}
	set("a", "1", time.Minute)
	set("b", "2", 2*time.Minute)
	now = now.Add(90 * time.Second)
	if _, ok := get("a"); ok {
		t.Error("a outlived its TTL")
	}
	if _, ok := get("b"); !ok {
		t.Error("b expired early")
	}
	// Full: the expired entry goes first.
	set("c", "3", time.Minute)
	set("d", "4", time.Minute)
	if c.Len() > 3 {
		t.Errorf("len %d over the bound", c.Len())
	}
	if _, ok := get("d"); !ok {
		t.Error("newest entry missing")
	}
	set("e", "5", time.Minute)
	if c.Len() != 3 {
		t.Errorf("len %d, want 3", c.Len())
	}
	c.Delete("e")
	if _, ok := get("e"); ok {
		t.Error("deleted entry found")
	}
	var n registry.NoCache
	if err := n.Set(ctx, "x", []byte("1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := n.Get(ctx, "x"); ok || err != nil {
		t.Error("NoCache cached")
	}
}

// Both in-process caches pass the conformance suite every Cache must pass.
func TestCacheConformance(t *testing.T) {
	t.Run("MemoryCache", func(t *testing.T) {
		registrytest.TestCache(t, func(*testing.T) registry.Cache { return &registry.MemoryCache{} })
	})
	t.Run("zero MemoryCache", func(t *testing.T) {
		registrytest.TestCache(t, func(*testing.T) registry.Cache { return new(registry.MemoryCache) })
	})
}

func TestGroupCollapses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g registry.Group
		var calls atomic.Int32
		gate := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]any, 50)
		for i := range 50 {
			wg.Go(func() {
				v, err, _ := g.Do(context.Background(), "k", func(ctx context.Context) (any, error) {
					calls.Add(1)
					<-gate
					return "v", nil
				})
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		synctest.Wait()
		if registry.GroupWaiting(&g, "k") != 50 {
			t.Errorf("waiting %d", registry.GroupWaiting(&g, "k"))
		}
		close(gate)
		wg.Wait()
		if calls.Load() != 1 {
			t.Errorf("%d calls", calls.Load())
		}
		for _, r := range results {
			if r != "v" {
				t.Fatalf("result %v", r)
			}
		}
		if registry.GroupWaiting(&g, "k") != 0 {
			t.Error("call left behind")
		}
	})
}

func TestGroupCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g registry.Group
		started := make(chan struct{})
		var workErr atomic.Value
		ctx1, cancel1 := context.WithCancel(context.Background())
		ctx2, cancel2 := context.WithCancel(context.Background())
		done := make(chan struct{})
		fn := func(ctx context.Context) (any, error) {
			close(started)
			<-ctx.Done()
			workErr.Store(ctx.Err())
			close(done)
			return nil, ctx.Err()
		}
		errs := make(chan error, 2)
		go func() { _, err, _ := g.Do(ctx1, "k", fn); errs <- err }()
		<-started
		go func() { _, err, _ := g.Do(ctx2, "k", fn); errs <- err }()
		synctest.Wait()
		// The first caller leaves: the work goes on for the second.
		cancel1()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("first caller: %v", err)
		}
		synctest.Wait()
		if workErr.Load() != nil {
			t.Fatal("work cancelled while a caller still waits")
		}
		// The last caller leaves: the work is cancelled.
		cancel2()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("second caller: %v", err)
		}
		<-done
		if !errors.Is(workErr.Load().(error), context.Canceled) {
			t.Error("work not cancelled")
		}
	})
}

func TestGroupPanic(t *testing.T) {
	var g registry.Group
	_, err, _ := g.Do(context.Background(), "p", func(context.Context) (any, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("err = %v", err)
	}
}

func TestAuditRedacts(t *testing.T) {
	fnr := ident.MustParseFodselsnummer("03851598730")
	var buf bytes.Buffer
	a := registry.SlogAuditor{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	ctx := registry.WithPurpose(context.Background(), registry.Purpose{Actor: "a", Reason: "r", LegalBasis: "l"})
	if err := registry.Audit(ctx, a, nil, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: []ident.Fodselsnummer{fnr}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, fnr.Reveal()) || !strings.Contains(out, "038515*****") || !strings.Contains(out, `"legal_basis":"l"`) {
		t.Errorf("audit log: %s", out)
	}
	if err := registry.Audit(context.Background(), a, nil, registry.AuditEvent{}); !errors.Is(err, registry.ErrNoPurpose) {
		t.Errorf("no purpose: %v", err)
	}
	if err := registry.Audit(context.Background(), nil, nil, registry.AuditEvent{}); err != nil {
		t.Errorf("no auditor: %v", err)
	}
	if _, ok := registry.PurposeFrom(registry.WithPurpose(context.Background(), registry.Purpose{})); ok {
		t.Error("an empty purpose counts")
	}
}

func TestTimestamps(t *testing.T) {
	for in, want := range map[string]string{
		"2018-06-29T10:14:52+02":       "2018-06-29T08:14:52Z",
		"2019-06-05T09:33:23+02:00":    "2019-06-05T07:33:23Z",
		"2018-04-23T06:03:29.443Z":     "2018-04-23T06:03:29.443Z",
		"2021-05-28T11:34:33.435+0000": "2021-05-28T11:34:33.435Z",
		"2024-05-02T10:11:12":          "2024-05-02T10:11:12Z",
	} {
		got, err := registry.ParseTimestamp(in)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := registry.ParseTimestamp("string"); err == nil {
		t.Error("placeholder parsed")
	}
	if _, err := registry.ParseTimestamp("12345678901x"); err == nil || strings.Contains(err.Error(), "12345678901") {
		t.Errorf("error leaks digits: %v", err)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2018-06-29T10:14:52+02", "2019-06-05T09:33:23+02:00", "", "2024-05-02", "string", "2024-13-40T99:99:99Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := registry.ParseTimestamp(s)
		if err == nil && s != "" && tm.IsZero() && !strings.HasPrefix(s, "0001-01-01") {
			t.Fatalf("%q parsed to the zero time", s)
		}
		var ts registry.Timestamp
		_ = ts.UnmarshalJSON([]byte(fmt.Sprintf("%q", s)))
	})
}
