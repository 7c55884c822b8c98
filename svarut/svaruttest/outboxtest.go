package svaruttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestOutbox runs the outbox's reliability scenarios (crash after the fake
// accepted, crash before the id was recorded, consecutive 500s and
// timeouts, many workers at once) on a store from newStore, against this
// package's fake. Every Store implementation runs it beside TestStore.
//
// Each scenario runs in a testing/synctest bubble, where backoffs, leases
// and timeouts pass in fake time, with the fake served in process. newStore
// is called inside the bubble, so that a store's goroutines and the
// channels and wait groups of a database pool belong to it; the bubble's
// t.Cleanup closes them before the scenario ends.
func TestOutbox(t *testing.T, newStore func(t *testing.T) svarut.Store) {
	run := func(name string, f func(t *testing.T, store svarut.Store)) {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { f(t, newStore(t)) })
		})
	}
	faults := func(f fake.Fault) func(*testing.T, svarut.Store) {
		return func(t *testing.T, store svarut.Store) { testOutboxFaults(t, store, f) }
	}
	run("SendPollReport", testOutboxHappy)
	run("CrashAfterAccept", testOutboxDropAfterAccept)
	run("CrashBeforeRecord", testOutboxCrashBeforeRecord)
	run("Consecutive500s", faults(fake.Fault{Status: 500}))
	run("Consecutive500sAfterAccept", faults(fake.Fault{Status: 500, AfterEffect: true}))
	run("ConsecutiveTimeouts", faults(fake.Fault{Delay: time.Second}))
	run("ConsecutiveTimeoutsAfterAccept", faults(fake.Fault{Delay: time.Second, AfterEffect: true}))
	run("FailuresReported", testOutboxFailures)
	run("Rejected", testOutboxRejected)
	run("ConcurrentWorkersExactlyOnce", testOutboxConcurrent)
	run("PrepareRelease", testOutboxPrepareRelease)
	run("PrepareWithdraw", testOutboxPrepareWithdraw)
	run("PrepareExpires", testOutboxPrepareExpires)
	run("ReleaseRacesWithdraw", testOutboxReleaseRace)
	run("SendRacesWithdraw", testOutboxSendRace)
	run("SendBuildsOnce", testOutboxSendBuild)
}

// sendPattern matches SvarUT's send call.
const sendPattern = "POST /api/v2/kontoer/{konto}/forsendelser"

const (
	testKonto    = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	testIntegID  = "0b7f7c1e-1111-4222-8333-944455556666"
	testPassword = "hemmelig-passord"
)

// inProcess serves each request with the fake in the calling goroutine,
// without a network, as a testing/synctest bubble needs. A dropped
// connection becomes an error, as it would on a network.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (resp *http.Response, err error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test-token")
	defer func() {
		if r.Body != nil {
			r.Body.Close()
		}
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			resp, err = nil, errors.New("svaruttest: connection dropped")
		}
	}()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err // the client gave up, as a real transport reports
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}

// docSource generates each document from its Ref: a small PDF-like file.
type docSource struct {
	mu    sync.Mutex
	opens int
}

func (d *docSource) Open(_ context.Context, doc svarut.Document) (io.ReadCloser, error) {
	d.mu.Lock()
	d.opens++
	d.mu.Unlock()
	if strings.HasSuffix(doc.Name, ".pdf") {
		return io.NopCloser(strings.NewReader("%PDF-1.7 " + doc.Ref + strings.Repeat(".", 1234-len("%PDF-1.7 ")-len(doc.Ref)))), nil
	}
	return io.NopCloser(bytes.NewReader([]byte("vedlegg " + doc.Ref))), nil
}

type outboxEnv struct {
	fake   *Server
	now    func() time.Time // the bubble's clock, moved to t0
	client *svarut.Client
	store  svarut.Store
	docs   *docSource
	mu     sync.Mutex
	final  map[string][]*svarut.Entry
}

// newOutboxEnv sets up the fake and a client in the test's bubble, their
// clock reading t0 (the spring DST day) at the start.
func newOutboxEnv(t *testing.T, store svarut.Store) *outboxEnv {
	skew := time.Until(t0)
	now := func() time.Time { return time.Now().Add(skew) }
	srv := New(Config{KontoID: testKonto, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New(testPassword), Now: now})
	c, err := svarut.New(svarut.Config{
		BaseURL: "http://svarut.test", KontoID: testKonto, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New(testPassword),
		HTTPClient:  &http.Client{Transport: inProcess{srv}, Timeout: 300 * time.Millisecond},
		MaxAttempts: 1, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &outboxEnv{fake: srv, now: now, client: c, store: store, docs: &docSource{}, final: map[string][]*svarut.Entry{}}
}

// outbox returns a fresh Outbox on the env's store: a "restarted process".
func (e *outboxEnv) outbox() *svarut.Outbox {
	return &svarut.Outbox{
		Client: e.client, Store: e.store, Documents: e.docs, Now: e.now,
		PollInterval: time.Minute, RetryBase: time.Second, RetryMax: time.Minute, Lease: 10 * time.Minute,
		OnFinal: func(_ context.Context, en *svarut.Entry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.final[en.ID] = append(e.final[en.ID], en)
			return nil
		},
	}
}

func (e *outboxEnv) finals(id string) []*svarut.Entry {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.final[id]
}

// runUntil calls RunOnce and lets a minute pass until cond holds.
func (e *outboxEnv) runUntil(t *testing.T, o *svarut.Outbox, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		if err := o.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
	}
	t.Fatal("condition not reached in 200 passes")
}

func (e *outboxEnv) entry(t *testing.T, id string) *svarut.Entry {
	t.Helper()
	en, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func (e *outboxEnv) enqueue(t *testing.T, o *svarut.Outbox, ref string) *svarut.Entry {
	t.Helper()
	en := newEntry(ref, t0)
	got, err := o.Enqueue(context.Background(), "", en.Shipment)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// exactlyOne checks that the fake holds exactly one shipment with the
// entry's eksternReferanse, and that the entry recorded its id.
func (e *outboxEnv) exactlyOne(t *testing.T, id string) {
	t.Helper()
	en := e.entry(t, id)
	ids := e.fake.ByExternalRef(en.Shipment.ExternalRef)
	if len(ids) != 1 {
		t.Fatalf("the fake holds %d shipments with eksternReferanse %s, want exactly 1", len(ids), en.Shipment.ExternalRef)
	}
	if en.ShipmentID != ids[0] {
		t.Fatalf("entry recorded shipment %q, the fake has %q", en.ShipmentID, ids[0])
	}
}

func testOutboxHappy(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	en := e.enqueue(t, o, "")
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := e.entry(t, en.ID)
	if got.State != svarut.EntrySent || got.ShipmentID == "" || got.Attempts != 1 {
		t.Fatalf("after one pass: %+v", got)
	}
	e.exactlyOne(t, en.ID)
	if _, err := e.fake.Advance(got.ShipmentID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute)
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.entry(t, en.ID); got.Status != svarut.StatusAkseptert || got.State != svarut.EntrySent {
		t.Fatalf("after AKSEPTERT: %+v", got)
	}
	if _, err := e.fake.Complete(got.ShipmentID); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, o, func() bool { return e.entry(t, en.ID).Reported })
	got = e.entry(t, en.ID)
	if got.State != svarut.EntryDone || got.Status != svarut.StatusLest {
		t.Fatalf("final: %+v", got)
	}
	// Further passes change nothing and report nothing again.
	for range 3 {
		time.Sleep(time.Hour)
		if err := o.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if f := e.finals(en.ID); len(f) != 1 || f[0].Status != svarut.StatusLest {
		t.Fatalf("OnFinal calls: %d", len(f))
	}
	if n := e.fake.Requests(sendPattern); n != 1 {
		t.Fatalf("%d send calls, want 1", n)
	}
}

func testOutboxDropAfterAccept(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	en := e.enqueue(t, o, "")
	// The fake stores the shipment, then the connection drops before the
	// client reads the id.
	e.fake.Inject(fake.Fault{Match: sendPattern, Drop: true, AfterEffect: true})
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := e.entry(t, en.ID)
	if got.State != svarut.EntryPending || got.Attempts != 1 || got.LastError == "" {
		t.Fatalf("after the drop: %+v", got)
	}
	if n := len(e.fake.ByExternalRef(got.Shipment.ExternalRef)); n != 1 {
		t.Fatalf("the fake should hold the shipment already, holds %d", n)
	}
	// Restart: a new Outbox on the same store.
	restarted := e.outbox()
	e.runUntil(t, restarted, func() bool { return e.entry(t, en.ID).State == svarut.EntrySent })
	e.exactlyOne(t, en.ID)
	if n := e.fake.Requests(sendPattern); n != 1 {
		t.Fatalf("%d send calls, want 1 (the look-up must find it)", n)
	}
}

// crashingStore fails every Update after a send has begun, as if the process
// died between the send and recording its id.
type crashingStore struct {
	svarut.Store
	mu      sync.Mutex
	crashed bool
}

func (c *crashingStore) Update(ctx context.Context, e *svarut.Entry, evs ...events.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed {
		return fmt.Errorf("process died")
	}
	if e.Attempts > 0 && e.State == svarut.EntryPending {
		// This is the write of the attempt count right before the send;
		// let it through and die afterwards.
		c.crashed = true
	}
	return c.Store.Update(ctx, e, evs...)
}

func testOutboxCrashBeforeRecord(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	en := e.enqueue(t, o, "")
	dying := e.outbox()
	dying.Store = &crashingStore{Store: store}
	if err := dying.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := e.entry(t, en.ID)
	if got.State != svarut.EntryPending || got.Attempts != 1 || got.LeaseUntil.IsZero() {
		t.Fatalf("after the crash: %+v", got)
	}
	if len(e.fake.ByExternalRef(got.Shipment.ExternalRef)) != 1 {
		t.Fatal("the send should have reached the fake")
	}
	// The lease keeps others off until it expires; then the restarted
	// outbox finds the shipment by eksternReferanse.
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.entry(t, en.ID).State != svarut.EntryPending {
		t.Fatal("an entry under lease was worked on")
	}
	time.Sleep(11 * time.Minute)
	e.runUntil(t, o, func() bool { return e.entry(t, en.ID).State == svarut.EntrySent })
	e.exactlyOne(t, en.ID)
}

func testOutboxFaults(t *testing.T, store svarut.Store, f fake.Fault) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	var ids []string
	for range 3 {
		ids = append(ids, e.enqueue(t, o, "").ID)
	}
	// N consecutive failures of every call: sends, look-ups and status polls.
	f.Times = 7
	e.fake.Inject(f)
	e.runUntil(t, o, func() bool {
		for _, id := range ids {
			if e.entry(t, id).State != svarut.EntrySent {
				return false
			}
		}
		return true
	})
	if e.fake.Pending() != 0 {
		t.Fatalf("%d faults left unused", e.fake.Pending())
	}
	for _, id := range ids {
		e.exactlyOne(t, id)
	}
	// Status polls under faults too.
	f.Times = 4
	e.fake.Inject(f)
	for _, id := range ids {
		if _, err := e.fake.Complete(e.entry(t, id).ShipmentID); err != nil {
			t.Fatal(err)
		}
	}
	e.runUntil(t, o, func() bool {
		for _, id := range ids {
			if !e.entry(t, id).Reported {
				return false
			}
		}
		return true
	})
	for _, id := range ids {
		e.exactlyOne(t, id)
		if f := e.finals(id); len(f) != 1 || f[0].Status != svarut.StatusLest {
			t.Fatalf("entry %s reported %d times", id, len(f))
		}
	}
	if n := len(e.fake.Shipments()); n != len(ids) {
		t.Fatalf("the fake holds %d shipments, want %d", n, len(ids))
	}
}

func testOutboxFailures(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	e.fake.Unreachable(TestFodselsnummer)
	digital := newEntry("", t0).Shipment
	digital.DigitalOnly = true
	dig, err := o.Enqueue(context.Background(), "", digital)
	if err != nil {
		t.Fatal(err)
	}
	manual := e.enqueue(t, o, "")
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.Complete(e.entry(t, dig.ID).ShipmentID); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.SetStatus(e.entry(t, manual.ID).ShipmentID, svarut.StatusManueltHandtert); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, o, func() bool { return e.entry(t, dig.ID).Reported && e.entry(t, manual.ID).Reported })
	for id, want := range map[string]svarut.Status{dig.ID: svarut.StatusIkkeLevert, manual.ID: svarut.StatusManueltHandtert} {
		f := e.finals(id)
		if len(f) != 1 || f[0].Status != want || !f[0].Status.Failed() {
			t.Fatalf("reported %v, want one %s", f, want)
		}
	}
}

func testOutboxRejected(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	en := e.enqueue(t, o, "")
	// SvarUT refuses (a rule the client does not know): 400.
	e.fake.Inject(fake.Fault{Match: sendPattern, Status: 400})
	e.runUntil(t, o, func() bool { return e.entry(t, en.ID).Reported })
	got := e.entry(t, en.ID)
	if got.State != svarut.EntryRejected || !strings.Contains(got.LastError, "400") || got.Attempts != 1 {
		t.Fatalf("rejected: %+v", got)
	}
	if f := e.finals(en.ID); len(f) != 1 || f[0].State != svarut.EntryRejected {
		t.Fatalf("reported %v", f)
	}
}

func testOutboxConcurrent(t *testing.T, store svarut.Store) {
	e := newOutboxEnv(t, store)
	var ids []string
	for range 12 {
		ids = append(ids, e.enqueue(t, e.outbox(), "").ID)
	}
	e.fake.Inject(fake.Fault{Match: sendPattern, Drop: true, AfterEffect: true, Times: 3})
	e.fake.Inject(fake.Fault{Status: 503, Times: 3})
	for round := 0; round < 40; round++ {
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.outbox().RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		time.Sleep(15 * time.Minute) // past every backoff and lease
		done := true
		for _, id := range ids {
			if e.entry(t, id).State != svarut.EntrySent {
				done = false
			}
		}
		if done {
			break
		}
	}
	for _, id := range ids {
		e.exactlyOne(t, id)
	}
	if n := len(e.fake.Shipments()); n != len(ids) {
		t.Fatalf("the fake holds %d shipments, want %d", n, len(ids))
	}
}

// testOutboxPrepareRelease: a prepared entry is never sent until released,
// then exactly once however many release it at once, and can no longer be
// withdrawn.
func testOutboxPrepareRelease(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	o := e.outbox()
	a, err := o.Prepare(ctx, "a", newEntry("prep-a", t0).Shipment, t0.Add(30*24*time.Hour))
	if err != nil || !a.Held {
		t.Fatalf("prepare: %+v %v", a, err)
	}
	for range 3 {
		time.Sleep(24 * time.Hour)
		if err := o.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.fake.Requests(sendPattern); n != 0 || e.entry(t, "a").State != svarut.EntryPending {
		t.Fatalf("a held entry was sent (%d calls)", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got, err := o.Release(ctx, "a"); err != nil || got.Held {
				t.Errorf("release: %+v %v", got, err)
			}
		})
	}
	wg.Wait()
	if err := o.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.exactlyOne(t, "a")
	if _, err := o.Withdraw(ctx, "a"); !errors.Is(err, svarut.ErrNotHeld) {
		t.Fatalf("withdrawing a sent entry: %v", err)
	}
	if _, err := o.Release(ctx, "nope"); !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("releasing an unknown id: %v", err)
	}
	if _, err := o.Prepare(ctx, "d", newEntry("prep-d", t0).Shipment, time.Time{}); !errors.Is(err, svarut.ErrInvalid) {
		t.Fatalf("preparing without a deadline: %v", err)
	}
}

// testOutboxPrepareWithdraw: a withdrawn entry is never sent, not reported,
// and cannot be released or prepared again.
func testOutboxPrepareWithdraw(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	o := e.outbox()
	if _, err := o.Prepare(ctx, "b", newEntry("prep-b", t0).Shipment, t0.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := o.Withdraw(ctx, "b"); err != nil || got.State != svarut.EntryWithdrawn || got.Held {
		t.Fatalf("withdraw: %+v %v", got, err)
	}
	if got, err := o.Withdraw(ctx, "b"); err != nil || got.State != svarut.EntryWithdrawn {
		t.Fatalf("withdrawing again: %+v %v", got, err)
	}
	if got, err := o.Release(ctx, "b"); err != nil || got.State != svarut.EntryWithdrawn {
		t.Fatalf("releasing a withdrawn entry: %+v %v", got, err)
	}
	for range 3 {
		time.Sleep(time.Hour)
		if err := o.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.fake.ByExternalRef("prep-b")); n != 0 || len(e.finals("b")) != 0 {
		t.Fatalf("a withdrawn entry was sent (%d) or reported (%d)", n, len(e.finals("b")))
	}
	if _, err := o.Prepare(ctx, "b", newEntry("prep-b", t0).Shipment, t0.Add(30*24*time.Hour)); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("preparing a withdrawn id again: %v", err)
	}
}

// testOutboxPrepareExpires: an entry not released by its deadline is
// withdrawn by RunOnce, never sent, and a late Release changes nothing.
func testOutboxPrepareExpires(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	o := e.outbox()
	c, err := o.Prepare(ctx, "c", newEntry("prep-c", t0).Shipment, e.now().Add(time.Hour))
	if err != nil || !c.Held {
		t.Fatalf("prepare: %+v %v", c, err)
	}
	time.Sleep(30 * time.Minute)
	if err := o.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.entry(t, "c"); !got.Held {
		t.Fatalf("withdrawn before its deadline: %+v", got)
	}
	time.Sleep(time.Hour)
	if err := o.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.entry(t, "c"); got.Held || got.State != svarut.EntryWithdrawn || !got.Reported {
		t.Fatalf("past its deadline: %+v", got)
	}
	if got, err := o.Release(ctx, "c"); err != nil || got.State != svarut.EntryWithdrawn {
		t.Fatalf("a late release: %+v %v", got, err)
	}
	if err := o.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.ByExternalRef("prep-c")); n != 0 || len(e.finals("c")) != 0 {
		t.Fatalf("an expired entry was sent (%d) or reported (%d)", n, len(e.finals("c")))
	}
}

// testOutboxReleaseRace: Release and Withdraw race on prepared entries;
// each ends one way, consistently: released and sent once with Withdraw
// refused, or withdrawn and never sent.
func testOutboxReleaseRace(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	o := e.outbox()
	const n = 12
	withdrawErr := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("race-%d", i)
		if _, err := o.Prepare(ctx, id, newEntry(id, t0).Shipment, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if _, err := o.Release(ctx, id); err != nil {
				t.Errorf("release %s: %v", id, err)
			}
		})
		wg.Go(func() { _, withdrawErr[i] = o.Withdraw(ctx, id) })
	}
	wg.Wait()
	for range 3 {
		if err := o.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
	}
	for i := range n {
		id := fmt.Sprintf("race-%d", i)
		got := e.entry(t, id)
		sent := len(e.fake.ByExternalRef(id))
		switch {
		case withdrawErr[i] == nil && got.State == svarut.EntryWithdrawn && sent == 0:
		case errors.Is(withdrawErr[i], svarut.ErrNotHeld) && got.State != svarut.EntryWithdrawn && sent == 1:
		default:
			t.Errorf("%s: withdraw %v, state %s, sent %d times", id, withdrawErr[i], got.State, sent)
		}
	}
}

// testOutboxSendRace: Send races Withdraw (and itself) on prepared
// letters: each letter goes exactly once, as itself or as its copy.
func testOutboxSendRace(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	o := e.outbox()
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("send-%d", i)
		if _, err := o.Prepare(ctx, id, newEntry(id, t0).Shipment, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			wg.Go(func() {
				if _, err := e.outbox().Send(ctx, id, nil); err != nil {
					t.Errorf("send %s: %v", id, err)
				}
			})
		}
		wg.Go(func() {
			if _, err := o.Withdraw(ctx, id); err != nil && !errors.Is(err, svarut.ErrNotHeld) {
				t.Errorf("withdraw %s: %v", id, err)
			}
		})
	}
	wg.Wait()
	for range 3 {
		if err := o.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
	}
	for i := range n {
		id := fmt.Sprintf("send-%d", i)
		first, again := len(e.fake.ByExternalRef(id)), len(e.fake.ByExternalRef(svarut.ResentID(id)))
		cur, err := o.Current(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if first+again != 1 || cur.State == svarut.EntryWithdrawn || (again == 1) != (cur.ID == svarut.ResentID(id)) {
			t.Errorf("%s: sent %d times, its copy %d times; current %s %s", id, first, again, cur.ID, cur.State)
		}
	}
	if _, err := o.Send(ctx, "never-prepared", nil); !errors.Is(err, svarut.ErrNotFound) {
		t.Errorf("Send without an entry or build: %v", err)
	}
}

// testOutboxSendBuild: callers in several processes Send a letter that
// none prepared: it is built, enqueued and sent once.
func testOutboxSendBuild(t *testing.T, store svarut.Store) {
	ctx := context.Background()
	e := newOutboxEnv(t, store)
	const id = "built"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := e.outbox().Send(ctx, id, func(context.Context) (*svarut.Shipment, error) { return newEntry(id, t0).Shipment, nil })
			if err != nil {
				t.Errorf("send: %v", err)
			}
		})
	}
	wg.Wait()
	o := e.outbox()
	e.runUntil(t, o, func() bool { return e.entry(t, id).State == svarut.EntrySent })
	e.exactlyOne(t, id)
	if _, err := e.store.Get(ctx, svarut.ResentID(id)); !errors.Is(err, svarut.ErrNotFound) {
		t.Errorf("a copy of a letter never withdrawn: %v", err)
	}
	boom := errors.New("no recipient")
	if _, err := o.Send(ctx, "other", func(context.Context) (*svarut.Shipment, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("a failing build: %v", err)
	}
}
